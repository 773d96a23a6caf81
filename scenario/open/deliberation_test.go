package open

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestPathDeliberation: a game folder opens as its game, also a log folder
// that carries the game's config and scores beside its history*.json
// files (which are not GeniusWeb profiles); a folder of logs alone gets a
// message that says what to give instead.
func TestPathDeliberation(t *testing.T) {
	root := shared.Dir(t, "llm-deliberation")
	s, err := Path(filepath.Join(root, "games_descriptions", "game2"))
	if err != nil || len(s.Parties) != 6 || s.DescribeDecision() != "5 of 6 parties, including project_manager and foreign_agency" {
		t.Fatalf("game folder: %v", err)
	}
	s, err = Path(filepath.Join(root, "logs", "all_coop_temp1_base_gpt4"))
	if err != nil || len(s.Parties) != 6 || s.Parties[3].Name != "SportCo" {
		t.Fatalf("log folder with its game: %v", err)
	}
	_, err = Path(filepath.Join(root, "logs", "all_greedy_base_gpt4"))
	if err == nil || !strings.Contains(err.Error(), "holds LLM-Deliberation logs (history*.json) but not their game") {
		t.Errorf("logs alone: %v", err)
	}
}

package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTournamentRerunDamaged flips bytes inside a tournament database's
// records: report, export and resuming refuse it, naming the damaged
// sessions and the remedy, and write no result; --rerun-damaged plays
// exactly those sessions again, after which the report is the one the
// undamaged database gave.
func TestTournamentRerunDamaged(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 400\n", laptop)), 0o644)
	db := filepath.Join(dir, "t.db")
	if code, _, errs := runCLI("tournament", spec, "--db", db, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, before, errs := runCLI("tournament", "report", db)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	// A row after the first whose records are found once in the file:
	// repetitions play alike, so a short row (the workers cut rows short
	// on a loaded machine) may equal part of another.
	var first, n int64
	var data []byte
	rows, err := conn.Query("SELECT first, n, data FROM runs ORDER BY first LIMIT -1 OFFSET 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if err := rows.Scan(&first, &n, &data); err != nil {
			t.Fatal(err)
		}
		if bytes.Count(file, data) == 1 {
			break
		}
		data = nil
	}
	rows.Close()
	conn.Close()
	at := bytes.Index(file, data)
	if data == nil || at < 0 {
		t.Fatal("no row's records are found once in the file")
	}
	file[at+len(data)/2] ^= 0x10
	os.WriteFile(db, file, 0o644)

	damaged := fmt.Sprintf("1 damaged row of results, %d sessions:\n  sessions %d to %d: its checksum does not match its records", n, first, first+n-1)
	for _, args := range [][]string{{"tournament", "report", db}, {"tournament", "export", db}, {"tournament", spec, "--db", db}} {
		code, out, errs := runCLI(args...)
		if code != 1 || out != "" || !strings.Contains(errs, damaged) || !strings.Contains(errs, "--rerun-damaged") {
			t.Errorf("%s: exit %d, stdout %d bytes, stderr %s", strings.Join(args, " "), code, len(out), errs)
		}
	}
	code, _, errs = runCLI("tournament", spec, "--db", db, "--rerun-damaged", "-q")
	if code != 0 || !strings.Contains(errs, damaged) || !strings.Contains(errs, fmt.Sprintf("playing those %d sessions again", n)) ||
		!strings.Contains(errs, fmt.Sprintf("%d sessions in", n)) {
		t.Fatalf("--rerun-damaged: exit %d: %s", code, errs)
	}
	if code, after, errs := runCLI("tournament", "report", db); code != 0 || after != before {
		t.Errorf("report after --rerun-damaged: exit %d (%s), the same as before: %v", code, errs, after == before)
	}
}

// TestTournamentExportToDevice: exporting to a device (here /dev/full, by
// a link) writes to it, and its write error is the export's; the output is
// not replaced by a file.
func TestTournamentExportToDevice(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrepetitions: 50\n", laptop)), 0o644)
	db := filepath.Join(dir, "t.db")
	if code, _, errs := runCLI("tournament", spec, "--db", db, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "out.csv")
	if err := os.Symlink("/dev/full", out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"csv", "jsonl", "parquet"} {
		code, _, errs := runCLI("tournament", "export", db, "-f", f, "-o", out)
		if code != 1 || !strings.Contains(errs, "no space left on device") {
			t.Errorf("export -f %s to /dev/full: exit %d, %s", f, code, errs)
		}
		if fi, err := os.Lstat(out); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("export -f %s replaced the link to /dev/full (%v)", f, err)
		}
	}
}

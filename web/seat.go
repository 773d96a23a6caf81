package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
)

// The seat page: a person plays one seat. The page holds the seat's
// capability token (its URL) and speaks the seat protocol to the server's
// seat endpoints, by long-poll: it reads the seat's stream from
// /seat/{token}/messages and posts each action to /seat/{token}/action,
// numbered so that one posted again (after a broken connection or a
// restart of the server) is taken once. What it shows comes from that
// stream only: the seat's own preferences and the public record.

type playData struct {
	Token string
	Party string
	Title string
}

func (a *App) playPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if len(token) != 43 {
		a.fail(w, r, http.StatusNotFound, "no seat has this link")
		return
	}
	d := playData{Token: token}
	id, _, party, err := a.seatByToken(r.Context(), token)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	if id != "" {
		d.Party = party
		if ws, _ := a.sessionByID(r.Context(), id); ws != nil {
			d.Title = ws.Title
		}
	}
	// Seat pages are not listed anywhere and must not leak their token:
	// no referrer (the server sets it) and no caching.
	a.render(w, r, "play", "", page{Title: "Seat", Nav: "play", Data: d})
}

// playState tells a seat page whether its session may begin: a classroom
// waits for its facilitator. It says nothing else.
func (a *App) playState(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	held := false
	if id, _, _, err := a.seatByToken(r.Context(), token); err == nil && id != "" {
		if ws, _ := a.sessionByID(r.Context(), id); ws != nil {
			held = ws.Held
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Held bool `json:"held"`
	}{held})
}

func (a *App) joinPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "join", "", page{Title: "Join a session", Nav: "join"})
}

// join turns a join code into its seat's page. Attempts are limited for
// all clients together, so that codes cannot be guessed by trying.
func (a *App) join(w http.ResponseWriter, r *http.Request) {
	if !a.joins.allow() {
		a.render(w, r, "join", "", page{Code: http.StatusTooManyRequests, Title: "Join a session", Nav: "join", Data: "Too many attempts; wait a moment and try again."})
		return
	}
	code := normCode(r.FormValue("code"))
	token, err := a.tokenOfCode(r.Context(), code)
	if err != nil || token == "" {
		a.render(w, r, "join", "", page{Code: http.StatusNotFound, Title: "Join a session", Nav: "join", Data: "No seat has this code. Check it with your facilitator."})
		return
	}
	http.Redirect(w, r, "/play/"+token, http.StatusSeeOther)
}

func (a *App) tokenOfCode(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	var box []byte
	err := a.db.QueryRowContext(ctx, `SELECT token FROM web_codes WHERE code_hash = ?`, digest(code)).Scan(&box)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	t, err := unseal(code, box)
	return string(t), err
}

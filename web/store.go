package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// The app's tables, beside the server's in its database:
//
//	web_uploads(id, created, name, text)          scenarios uploaded to the library
//	web_sessions(id, owner_hash, kind, created, title, scenario, held, seats, links, result)
//	                                              sessions made by the pages: the owner's
//	                                              (facilitator's) token digest, the seats'
//	                                              public setup, the seats' links sealed
//	                                              with a key only the owner's token gives
//	web_seats(token_hash, session, seat, party)   the human seats of those sessions
//	web_codes(code_hash, session, seat, token)    join codes: each seat's token sealed with
//	                                              a key only its code gives
//	web_events(session, n, data)                  each session's record as it was played
//	web_tournaments(id, created, name, dir, state, error)
const webSchema = `
CREATE TABLE IF NOT EXISTS web_uploads(id TEXT PRIMARY KEY, created INTEGER NOT NULL, name TEXT NOT NULL, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS web_sessions(
	id TEXT PRIMARY KEY,
	owner_hash BLOB NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	created INTEGER NOT NULL,
	title TEXT NOT NULL,
	scenario TEXT NOT NULL,
	held INTEGER NOT NULL DEFAULT 0,
	seats TEXT NOT NULL,
	links BLOB NOT NULL,
	result TEXT);
CREATE TABLE IF NOT EXISTS web_seats(token_hash BLOB PRIMARY KEY, session TEXT NOT NULL, seat INTEGER NOT NULL, party TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS web_codes(code_hash BLOB PRIMARY KEY, session TEXT NOT NULL, seat INTEGER NOT NULL, token BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS web_events(session TEXT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(session, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS web_tournaments(id TEXT PRIMARY KEY, created INTEGER NOT NULL, name TEXT NOT NULL, dir TEXT NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL DEFAULT '');
`

func createTables(db *sql.DB) error {
	_, err := db.ExecContext(context.Background(), webSchema)
	return err
}

// seal encrypts data with a key derived from a secret (AES-256-GCM): what
// the database holds cannot be read without the secret.
func seal(secret string, data []byte) []byte {
	gcm := aead(secret)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, data, nil)
}

// unseal decrypts what seal made with the same secret.
func unseal(secret string, box []byte) ([]byte, error) {
	gcm := aead(secret)
	if len(box) < gcm.NonceSize() {
		return nil, errors.New("sealed data too short")
	}
	return gcm.Open(nil, box[:gcm.NonceSize()], box[gcm.NonceSize():], nil)
}

func aead(secret string) cipher.AEAD {
	key := sha256.Sum256([]byte("parley web seal\x00" + secret))
	b, _ := aes.NewCipher(key[:])
	g, _ := cipher.NewGCM(b)
	return g
}

// webSession is a session the pages made, as web_sessions holds it.
type webSession struct {
	ID       string
	Kind     string // session or classroom
	Created  time.Time
	Title    string
	Scenario string // a scenario reference (see ref)
	Held     bool   // a classroom its facilitator has not started
	Seats    []seatSetup
	Result   string // the full result (JSON), once finished
}

// seatSetup is one seat as the owner set it up: public information.
type seatSetup struct {
	Seat  int    `json:"seat"`
	Party string `json:"party"`
	Name  string `json:"name,omitempty"`
	// Kind is human (a person at a seat page), remote (a program over the
	// seat protocol), agent (a built-in strategy) or mediator (a built-in
	// mediator).
	Kind string `json:"kind"`
	Spec string `json:"spec,omitempty"`
}

// seatLink is a seat's capability, sealed in web_sessions.links.
type seatLink struct {
	Seat  int    `json:"seat"`
	Party string `json:"party"`
	Token string `json:"token"`
	Code  string `json:"code,omitempty"`
	WS    string `json:"ws,omitempty"`
}

// sessionByOwner finds the session of an owner's token, with its links.
func (a *App) sessionByOwner(ctx context.Context, owner string) (*webSession, []seatLink, error) {
	if len(owner) != 43 {
		return nil, nil, nil
	}
	var ws webSession
	var created int64
	var seats string
	var links []byte
	var result sql.NullString
	err := a.db.QueryRowContext(ctx, `SELECT id, kind, created, title, scenario, held, seats, links, result FROM web_sessions WHERE owner_hash = ?`, digest(owner)).
		Scan(&ws.ID, &ws.Kind, &created, &ws.Title, &ws.Scenario, &ws.Held, &seats, &links, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ws.Created = time.Unix(0, created)
	ws.Result = result.String
	json.Unmarshal([]byte(seats), &ws.Seats)
	var ls []seatLink
	if plain, err := unseal(owner, links); err == nil {
		json.Unmarshal(plain, &ls)
	}
	return &ws, ls, nil
}

// sessionByID reads a session's row without its links.
func (a *App) sessionByID(ctx context.Context, id string) (*webSession, error) {
	var ws webSession
	var created int64
	var seats string
	var result sql.NullString
	err := a.db.QueryRowContext(ctx, `SELECT id, kind, created, title, scenario, held, seats, result FROM web_sessions WHERE id = ?`, id).
		Scan(&ws.ID, &ws.Kind, &created, &ws.Title, &ws.Scenario, &ws.Held, &seats, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ws.Created = time.Unix(0, created)
	ws.Result = result.String
	json.Unmarshal([]byte(seats), &ws.Seats)
	return &ws, nil
}

// seatByToken finds the web session and seat of a human seat's token.
func (a *App) seatByToken(ctx context.Context, token string) (session string, seat int, party string, err error) {
	err = a.db.QueryRowContext(ctx, `SELECT session, seat, party FROM web_seats WHERE token_hash = ?`, digest(token)).Scan(&session, &seat, &party)
	if errors.Is(err, sql.ErrNoRows) {
		return "", -1, "", nil
	}
	return session, seat, party, err
}

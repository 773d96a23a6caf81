package cluster

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// A records message holds the records of consecutive sessions, encoded as
// the coordinator's store keeps them, and what their sessions with outside
// seats add:
//
//	first    8 bytes, big-endian: the first session
//	n        4 bytes, big-endian: the number of sessions
//	records  n records of the store's record size
//	outside  the rest: JSON, a list of outsideJSON in session order (absent when none)

// maxRecordsBytes bounds the records of one message, well below NATS's
// default limit of 1 MB per message.
const maxRecordsBytes = 256 << 10

// outsideJSON is a tournament.Outside as a message carries it.
type outsideJSON struct {
	Session    uint64       `json:"session"`
	Failure    *failureJSON `json:"failure,omitempty"`
	FailedSeat int          `json:"failed_seat"`
	Times      []timesJSON  `json:"times,omitempty"`
}

type failureJSON struct {
	Seat    string `json:"seat"`
	Cause   string `json:"cause"`
	Message string `json:"message"`
}

type timesJSON struct {
	Negotiator int                            `json:"negotiator"`
	Actions    uint64                         `json:"actions"`
	TotalNS    int64                          `json:"total_ns"`
	Hist       [tournament.TimeBuckets]uint64 `json:"hist"`
}

// encodeRecords writes a records message.
func encodeRecords(first uint64, data []byte, size int, outside []tournament.Outside) ([]byte, error) {
	n := len(data) / size
	msg := make([]byte, 12, 12+len(data))
	binary.BigEndian.PutUint64(msg, first)
	binary.BigEndian.PutUint32(msg[8:], uint32(n))
	msg = append(msg, data...)
	if len(outside) == 0 {
		return msg, nil
	}
	out := make([]outsideJSON, len(outside))
	for i, o := range outside {
		out[i] = outsideJSON{Session: o.Session, FailedSeat: o.FailedSeat}
		if f := o.Failure; f != nil {
			out[i].Failure = &failureJSON{Seat: f.Seat, Cause: string(f.Cause), Message: f.Message}
		}
		for _, t := range o.Times {
			out[i].Times = append(out[i].Times, timesJSON{Negotiator: t.Negotiator, Actions: t.Actions, TotalNS: int64(t.Total), Hist: t.Hist})
		}
	}
	js, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append(msg, js...), nil
}

// decodeRecords reads a records message of records of size bytes.
func decodeRecords(msg []byte, size int) (first uint64, data []byte, outside []tournament.Outside, err error) {
	if len(msg) < 12 {
		return 0, nil, nil, fmt.Errorf("a records message of %d bytes", len(msg))
	}
	first = binary.BigEndian.Uint64(msg)
	n := uint64(binary.BigEndian.Uint32(msg[8:]))
	if n == 0 || n*uint64(size) > uint64(len(msg)-12) {
		return 0, nil, nil, fmt.Errorf("a records message of %d bytes says it holds %d records of %d", len(msg), n, size)
	}
	data = msg[12 : 12+n*uint64(size)]
	rest := msg[12+n*uint64(size):]
	if len(rest) == 0 {
		return first, data, nil, nil
	}
	var out []outsideJSON
	if err := json.Unmarshal(rest, &out); err != nil {
		return 0, nil, nil, fmt.Errorf("a records message's failures and answer times: %w", err)
	}
	outside = make([]tournament.Outside, len(out))
	for i, o := range out {
		outside[i] = tournament.Outside{Session: o.Session, FailedSeat: o.FailedSeat}
		if f := o.Failure; f != nil {
			outside[i].Failure = &session.Failure{Seat: f.Seat, Cause: session.Cause(f.Cause), Message: f.Message}
		}
		for _, t := range o.Times {
			outside[i].Times = append(outside[i].Times, tournament.Times{Negotiator: t.Negotiator, Actions: t.Actions, Total: time.Duration(t.TotalNS), Hist: t.Hist})
		}
	}
	return first, data, outside, nil
}

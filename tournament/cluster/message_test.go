package cluster

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// A records message gives back what was encoded: the first session, the
// records and what the sessions with outside seats add.
func TestRecordsMessage(t *testing.T) {
	data := bytes.Repeat([]byte{1, 2, 3, 4, 5}, 6) // 6 records of 5 bytes
	outside := []tournament.Outside{
		{Session: 11, FailedSeat: -1, Times: []tournament.Times{{Negotiator: 1, Actions: 3, Total: 5 * time.Millisecond, Hist: [tournament.TimeBuckets]uint64{12: 3}}}},
		{Session: 13, FailedSeat: 1, Failure: &session.Failure{Seat: "seller", Cause: session.CauseTimeout, Message: "no answer in 30s"}},
	}
	for _, out := range [][]tournament.Outside{nil, outside} {
		msg, err := encodeRecords(10, data, 5, out)
		if err != nil {
			t.Fatal(err)
		}
		first, got, gotOut, err := decodeRecords(msg, 5)
		if err != nil || first != 10 || !bytes.Equal(got, data) || !reflect.DeepEqual(gotOut, out) {
			t.Errorf("decoded %d, %v, %+v, %v", first, got, gotOut, err)
		}
	}
}

// decodeRecords reads what comes from the network: whatever the bytes, a
// result or an error, never a panic, and never more records than the
// message holds.
func FuzzDecodeRecords(f *testing.F) {
	msg, _ := encodeRecords(7, bytes.Repeat([]byte{9}, 12), 4, []tournament.Outside{{Session: 8, FailedSeat: -1}})
	f.Add(msg, 4)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255}, 49)
	f.Fuzz(func(t *testing.T, msg []byte, size int) {
		if size < 1 || size > 1<<16 {
			return
		}
		_, data, _, err := decodeRecords(msg, size)
		if err == nil && (len(data) == 0 || len(data)%size != 0 || len(data) > len(msg)) {
			t.Errorf("%d bytes of records of %d from a message of %d", len(data), size, len(msg))
		}
	})
}

package store

// FormatVersion is the layout of a store, its meta.version. Formats move by
// a ratchet, as cockroachdb/pebble's do: each is a constant saying what it
// adds to the one before. This parley makes FormatNewest and reads the
// formats from FormatOldestRead on; no older one was ever released, so
// nothing reads them, and a store of another version is refused with a
// message saying what to do.
type FormatVersion int

const (
	// FormatRowPerSession kept one row of 18 columns per session.
	FormatRowPerSession FormatVersion = 1
	// FormatRuns packs runs of consecutive sessions into rows of
	// fixed-size binary records.
	FormatRuns FormatVersion = 2
	// FormatLean leaves out of the records what is recomputed when they are
	// read: seeds, distances, undiscounted copies.
	FormatLean FormatVersion = 3
	// FormatStatus adds each session's status (whether its deal stands) to
	// its end-reason byte.
	FormatStatus FormatVersion = 4
	// FormatNarrow makes each field whose range the tournament bounds as
	// narrow as it allows (outcome index, round, seat; meta.record_layout)
	// and packs the flags into one byte.
	FormatNarrow FormatVersion = 5
	// FormatChecksums adds a CRC-32C to each row of records (runs.sum, over
	// its first session, its length and its records), and bounds for the
	// decoded values to the canonical spec (each scenario's outcomes and
	// its seats' payoffs, tournament.FormatVersion 2): every row read is
	// checked against both, so that a damaged row is found and its
	// sessions can be played again.
	FormatChecksums FormatVersion = 6
	// FormatFailures adds sessions played by seats from outside parley:
	// the status failed (code 6), each failed session's failure (its seat,
	// cause and message) in the failures table, and the outside seats'
	// answer times per row of records and negotiator in the times table,
	// both written in the transaction of their row and covered by its
	// checksum; and each scenario's issues to the canonical spec
	// (tournament.FormatVersion 3).
	FormatFailures FormatVersion = 7

	// FormatNewest is the format of a new store.
	FormatNewest = FormatFailures
	// FormatOldestRead is the oldest format this parley reads and resumes.
	FormatOldestRead = FormatFailures
)

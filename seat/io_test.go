package seat_test

import "io"

var ioEOF = io.EOF

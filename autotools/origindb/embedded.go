package origindb

import (
	_ "embed"
	"sync"
)

// embedded is the database built by autotools/cmd/m4dbgen -origins (see
// README.md in this directory for the command and its sources).
//
//go:embed origins.bin
var embedded []byte

var (
	embeddedOnce sync.Once
	embeddedDB   *DB
	embeddedErr  error
)

// Embedded returns the database compiled into the binary. Opening it reads
// only its 40-byte header: no decoding, no copy. If the embedded data is
// corrupt (a broken build), it returns an empty database and the error.
func Embedded() (*DB, error) {
	embeddedOnce.Do(func() {
		embeddedDB, embeddedErr = Open(embedded)
		if embeddedErr != nil {
			embeddedDB = Empty()
		}
	})
	return embeddedDB, embeddedErr
}

// Empty returns a database with no entries.
func Empty() *DB {
	data, _ := NewBuilder().Bytes()
	db, _ := Open(data)
	return db
}

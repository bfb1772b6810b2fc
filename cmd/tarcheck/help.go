package main

import (
	"embed"
	"strings"
)

// helpFiles hold the long help of each command: help/NAME.txt is the Long
// text, then, after a "----" line, the Example text if any.
//
//go:embed help/*.txt
var helpFiles embed.FS

func helpParts(name string) (long, example string) {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("missing embedded help/" + name + ".txt") // a build mistake, caught by every help test
	}
	long, example, _ = strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n----\n")
	return long, example
}

func helpLong(name string) string { l, _ := helpParts(name); return l }

func helpExample(name string) string { _, e := helpParts(name); return e }

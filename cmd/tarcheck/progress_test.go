package main

import (
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render/term"
)

// The CLI's bars show the item phases (classification, origin lookups).
var _ verify.ItemProgress = (*term.Progress)(nil)

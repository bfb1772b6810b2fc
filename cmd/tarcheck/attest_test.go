package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// cmdAttestSchema: attestschema FILE validates an in-toto statement (or
// the statement inside a DSSE envelope) against the in-toto Statement v1
// schema, and its predicate against the SLSA VSA v1 schema and
// docs/attestation.schema.json.
func cmdAttestSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: attestschema FILE")
	}
	st := statementBytes(ts, args[0])
	var doc map[string]any
	ts.Check(json.Unmarshal(st, &doc))
	wd, _ := os.Getwd()
	for _, c := range []struct {
		schema string
		v      any
	}{
		{"../../verify/attest/testdata/in-toto-statement-v1.schema.json", doc},
		{"../../verify/attest/testdata/slsa-vsa-v1.schema.json", doc["predicate"]},
		{"../../docs/attestation.schema.json", doc["predicate"]},
	} {
		sch, err := jsonschema.NewCompiler().Compile(filepath.Join(wd, c.schema))
		ts.Check(err)
		if err := sch.Validate(c.v); (err == nil) == neg {
			ts.Fatalf("%s against %s: %v", args[0], filepath.Base(c.schema), err)
		}
	}
}

// cmdAttestSubject: attestsubject FILE TARBALL asserts that the statement's
// only subject is TARBALL's name and sha256 (what sha256sum prints).
func cmdAttestSubject(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: attestsubject FILE TARBALL")
	}
	var st struct {
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	ts.Check(json.Unmarshal(statementBytes(ts, args[0]), &st))
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	sum := sha256.Sum256(data)
	ok := len(st.Subject) == 1 && st.Subject[0].Name == filepath.Base(args[1]) && st.Subject[0].Digest["sha256"] == hex.EncodeToString(sum[:])
	if ok == neg {
		ts.Fatalf("subject %+v, tarball %s sha256 %x", st.Subject, args[1], sum)
	}
}

// cmdTamper: tamper ENVELOPE OLD NEW rewrites the signed payload of a DSSE
// envelope, replacing OLD by NEW, and keeps the signature.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: tamper ENVELOPE OLD NEW")
	}
	var env map[string]any
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	ts.Check(json.Unmarshal(data, &env))
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	ts.Check(err)
	if !bytes.Contains(payload, []byte(args[1])) {
		ts.Fatalf("payload has no %q", args[1])
	}
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.ReplaceAll(payload, []byte(args[1]), []byte(args[2])))
	out, err := json.Marshal(env)
	ts.Check(err)
	ts.Check(os.WriteFile(name, out, 0o644))
}

// statementBytes is FILE's statement: the file itself, or the payload of
// the DSSE envelope it holds.
func statementBytes(ts *testscript.TestScript, file string) []byte {
	data, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     []byte `json:"payload"`
	}
	if json.Unmarshal(data, &env) == nil && env.PayloadType != "" {
		return env.Payload
	}
	return data
}

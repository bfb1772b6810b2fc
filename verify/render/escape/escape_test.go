package escape

import "testing"

func TestText(t *testing.T) {
	tests := map[string]string{
		"plain/path.c":       "plain/path.c",
		"a\x1b[31mb":         `a\x1b[31mb`,
		"a\nb\rc\td":         `a\nb\rc\td`,
		"\x00\x7f":           `\x00\x7f`,
		"\xff":               "\uFFFD",
		"\u0085":             `\u0085`,
		"\u202eabc":          `\u202eabc`,
		"\u2028":             `\u2028`,
		"\ufeff":             `\ufeff`,
		"日本語 ünï":            "日本語 ünï",
		"\U000e0001":         `\ue0001`,
		"back\\slash":        "back\\slash",
		"\xed\xa0\x80surr":   "\uFFFD\uFFFD\uFFFDsurr",
		"\ufffe\uffff\ufdd0": `\ufffe\uffff\ufdd0`,
	}
	for in, want := range tests {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	tests := map[string]string{
		"plain":             "plain",
		"two\nlines\tand\r": "two lines and ",
		"\x1b[2J":           `\x1b[2J`,
		"\u200bzero":        `\u200bzero`,
		"\u202aembed":       `\u202aembed`,
		"\u202eabc":         `\u202eabc`,
	}
	for in, want := range tests {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
	long := Line(string(make([]byte, 2000)))
	if len(long) > 4*maxLine+3 || long[len(long)-3:] != "..." {
		t.Errorf("Line of 2000 bytes not cut: %d bytes", len(long))
	}
}

func TestMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"a*b_c\x1b": `a\*b\_c\\x1b`,
		// Harmless text reads as written (issue 17).
		"2023-01-11T17:12:29Z":            "2023-01-11T17:12:29Z",
		"autoconf 2.71 (GNU), v1.2.3-rc1": "autoconf 2.71 (GNU), v1.2.3-rc1",
		"src/lib.c: a.b!":                 "src/lib.c: a.b!",
		// Markup is escaped wherever it would act.
		"[x](http://evil.example)":  `\[x\](http\://evil.example)`,
		"see www.evil.example":      `see www\.evil.example`,
		"<img src=x onerror=alert>": `\<img src=x onerror=alert\>`,
		"a|b `c` ~~d~~ &amp; #1 @u": `a\|b \` + "`" + `c\` + "`" + ` \~\~d\~\~ \&amp; \#1 \@u`,
		"# heading":                 `\# heading`,
		"- item":                    `\- item`,
		"+ item":                    `\+ item`,
		"> quote":                   `\> quote`,
		"=== setext":                `\=== setext`,
		"12. ordered":               `12\. ordered`,
		"3) ordered":                `3\) ordered`,
		"line\n# two":               `line\\n\# two`,
	} {
		if got := Markdown(in); got != want {
			t.Errorf("Markdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkText(b *testing.B) {
	for name, s := range map[string]string{"ascii": "src/liblzma/check/crc64_fast.c", "hostile": "src/\x1b[2J\u202e\xff/evil\n.c"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Text(s)
			}
		})
	}
}

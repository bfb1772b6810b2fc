package autotools

import "testing"

// TestEvalOfPlainCommandString: generated configure scripts eval sed/awk
// command strings kept in variables (libtool's symbol pipes); only command
// strings that decode, decipher or carve are a signal.
func TestEvalOfPlainCommandString(t *testing.T) {
	benign := "lt_cv_to_cdecl=\"sed -n -e 's/^T .* \\(.*\\)$/extern int \\1();/p'\"\n" +
		"if eval \"$lt_cv_to_cdecl\"' < \"$nlist\" >> conftest.c'; then :; fi\n" +
		"ac_awk_cmd='awk -f conf.awk'\neval \"$ac_awk_cmd\" < x\n"
	for _, s := range ScanBuildScript("configure", []byte(benign)) {
		if s.Rule == RuleEvalAssembled {
			t.Errorf("plain sed/awk command strings flagged: %+v", s)
		}
	}
	bad := "gl_map='tr \"\\t \\-_\" \" \\t_\\-\"'\nv=`eval $gl_map < \"$f\"`\n"
	found := false
	for _, s := range ScanBuildScript("configure", []byte(bad)) {
		if s.Rule == RuleEvalAssembled {
			found = true
		}
	}
	if !found {
		t.Errorf("an eval'ed tr cipher string is not flagged")
	}
	carve := "c=\"tail -c +1024\"\neval \"$c\" < tests/x.bin\n"
	found = false
	for _, s := range ScanBuildScript("configure", []byte(carve)) {
		if s.Rule == RuleEvalAssembled {
			found = true
		}
	}
	if !found {
		t.Errorf("an eval'ed tail -c carving string is not flagged")
	}
}

package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// namespacesTools are the host programs the built-in backend needs; all are from
// util-linux, coreutils or the POSIX shell, and must live in a read-only mapped
// directory so that they can be run after pivot_root.
var namespacesTools = []string{"sh", "mount", "umount", "mkdir", "ln", "pivot_root", "setpriv", "env"}

// setupScript runs as PID 1 of the new namespaces, as (namespaced) root. It builds
// the new root on a tmpfs at $R, pivots into it, detaches the old root, and executes
// the command through setpriv (no_new_privs, no capabilities) and env -i (exactly the
// given environment). Its own diagnostics go to fd 3, which execute reads.
//
// Arguments: R WD MOUNT UMOUNT MKDIR LN PIVOT_ROOT SETPRIV ENV, then triples
// "op src dst", then "--", then KEY=value... followed by the wrapped command.
const setupScript = `set -eu
exec 4>&2 2>&3
R=$1 WD=$2 MOUNT=$3 UMOUNT=$4 MKDIR=$5 LN=$6 PIVOT=$7 SETPRIV=$8 ENV=$9
shift 9
"$MOUNT" --make-rprivate /
"$MOUNT" -t tmpfs -o mode=0755,nosuid,nodev tarcheck-root "$R"
bindto() {
	if [ ! -e "$2" ]; then
		if [ -d "$1" ]; then "$MKDIR" -p "$2"; else "$MKDIR" -p "${2%/*}"; : >"$2"; fi
	fi
	"$MOUNT" --bind "$1" "$2" 2>/dev/null || "$MOUNT" --rbind "$1" "$2"
	case $3 in
	ro) "$MOUNT" -o remount,bind,ro,nosuid,nodev "$2" ;;
	rw) "$MOUNT" -o remount,bind,nosuid,nodev "$2" ;;
	esac
}
while [ "$1" != -- ]; do
	op=$1 src=$2 t=$R$3
	shift 3
	case $op in
	ro|rw) bindto "$src" "$t" "$op" ;;
	tmpfs)
		"$MKDIR" -p "$t"
		"$MOUNT" -t tmpfs -o "mode=$src,nosuid,nodev" tmpfs "$t" ;;
	link)
		"$MKDIR" -p "${t%/*}"
		"$LN" -s "$src" "$t" ;;
	overlay)
		"$MKDIR" -p "$t"
		"$MOUNT" -t overlay -o "ro,nosuid,nodev,lowerdir=$src" tarcheck-overlay "$t" ;;
	proc)
		"$MKDIR" -p "$t"
		if "$MOUNT" -t proc -o nosuid,nodev,noexec proc "$t"; then
			"$MOUNT" -o remount,bind,ro,nosuid,nodev,noexec "$t"
		else
			echo "note: no /proc inside the sandbox"
		fi ;;
	dev)
		"$MKDIR" -p "$t"
		"$MOUNT" -t tmpfs -o mode=0755,nosuid,noexec tmpfs "$t"
		for n in null zero full random urandom tty; do
			if [ -e "/dev/$n" ]; then bindto "/dev/$n" "$t/$n" dev; fi
		done
		"$LN" -s /proc/self/fd "$t/fd"
		"$LN" -s /proc/self/fd/0 "$t/stdin"
		"$LN" -s /proc/self/fd/1 "$t/stdout"
		"$LN" -s /proc/self/fd/2 "$t/stderr"
		"$MKDIR" "$t/shm"
		"$MOUNT" -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$t/shm" ;;
	*)
		echo "unknown setup step $op"
		exit 1 ;;
	esac
done
shift
"$MKDIR" "$R/.oldroot"
"$MOUNT" -o remount,bind,ro,nosuid,nodev "$R"
cd "$R"
"$PIVOT" . .oldroot
"$UMOUNT" -l /.oldroot
cd "$WD"
exec 2>&4 4>&-
exec "$SETPRIV" --no-new-privs --inh-caps=-all --bounding-set=-all -- "$ENV" -i -- "$@"
`

// namespacesRunner is the built-in backend.
type namespacesRunner struct {
	tools []string // absolute paths, in namespacesTools order
}

func newNamespaces() (*namespacesRunner, error) {
	tools := make([]string, len(namespacesTools))
	for i, name := range namespacesTools {
		p, err := lookSystemTool(name)
		if err != nil {
			return nil, err
		}
		tools[i] = p
	}
	return &namespacesRunner{tools: tools}, nil
}

// lookSystemTool finds name in the standard system directories only, so that the
// path is valid inside the sandbox too.
func lookSystemTool(name string) (string, error) {
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := dir + "/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in /usr/sbin, /usr/bin, /sbin or /bin", name)
}

// Name implements Runner.
func (r *namespacesRunner) Name() string { return BackendNamespaces }

// Run implements Runner.
func (r *namespacesRunner) Run(ctx context.Context, s Spec) (*Result, error) {
	p, err := newPlan(s, true)
	if err != nil {
		return nil, err
	}
	steps, err := p.mounts()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "tarcheck-sandbox-root-")
	if err != nil {
		return nil, fmt.Errorf("creating sandbox root mount point: %w", err)
	}
	// The tmpfs lives only in the sandbox's mount namespace; on the host the
	// directory stays empty.
	defer func() { _ = os.Remove(root) }()

	args := []string{"-c", setupScript, "tarcheck-sandbox-setup", root, p.dir}
	args = append(args, r.tools[1:]...) // mount umount mkdir ln pivot_root setpriv env
	for _, st := range steps {
		op := map[mountKind]string{mountRO: "ro", mountRW: "rw", mountTmpfs: "tmpfs",
			mountSymlink: "link", mountProc: "proc", mountDev: "dev", mountOverlay: "overlay"}[st.kind]
		args = append(args, op, st.src, st.dst)
	}
	args = append(args, "--")
	args = append(args, p.env...)
	args = append(args, p.wrapped()...)

	cmd := exec.Command(r.tools[0], args...)
	cmd.Env = []string{"PATH=" + defaultPath}
	cmd.Dir = "/"
	attr := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET | syscall.CLONE_NEWPID |
			syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
	}
	if os.Geteuid() != 0 {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.SysProcAttr = attr
	return execute(ctx, p, cmd)
}

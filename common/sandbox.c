/*
 * sandbox.c - seccomp filters for the daemons (libseccomp).
 *
 * The lists are what the daemons call after start-up: the event loop,
 * sockets, LMDB (mmap, pwrite, fdatasync), reading the config, templates
 * and TLS files again on SIGHUP, writing the pid and reload files, syslog,
 * the journal and systemd's notifications. Names a kernel or architecture
 * does not know are skipped.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"
#include "sandbox.h"

#ifndef AF_PACKET
#define AF_PACKET	17
#endif
#ifndef AF_NETLINK
#define AF_NETLINK	16
#endif

/* Both daemons. */
static const char *const common_calls[] = {
	/* I/O on what is open, files read again on reload */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek",
	"close", "open", "openat", "stat", "fstat", "lstat", "newfstatat",
	"statx", "fcntl", "ioctl", "access", "faccessat", "faccessat2",
	"getdents64", "readlink", "readlinkat", "umask",
	/* pid and reload status files (write, rename into place) */
	"rename", "renameat", "renameat2", "unlink", "unlinkat", "fchmod",
	/* LMDB */
	"fsync", "fdatasync", "msync", "ftruncate", "fallocate", "flock",
	/* memory */
	"mmap", "munmap", "mremap", "mprotect", "madvise", "brk",
	/* signals, time, identity */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"restart_syscall", "futex", "clock_gettime", "clock_getres",
	"clock_nanosleep", "nanosleep", "gettimeofday", "time", "getpid",
	"gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
	"getresuid", "getresgid", "getrandom", "uname", "sched_yield",
	"getrlimit", "prlimit64", "sysinfo",
	/* the event loop */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6",
	"eventfd2", "pipe", "pipe2", "dup", "dup2", "dup3",
	/* sockets (socket() itself is limited by family below) */
	"connect", "bind", "listen", "accept", "accept4", "setsockopt",
	"getsockopt", "getsockname", "getpeername", "sendto", "sendmsg",
	"sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "shutdown",
	/*
	 * The journal (sd_journal_sendv) and sd_notify: a datagram on an
	 * AF_UNIX socket (sendmsg); an entry too big for one goes as a
	 * sealed memfd passed over the socket.
	 */
	"memfd_create",
	"exit", "exit_group",
};

/*
 * The sanitizers' runtime: LeakSanitizer stops the process's threads from
 * a helper task it clones and ptraces, reading /proc/self/task; reports
 * symbolise through /proc/self/maps. Only in builds configured with
 * --enable-sanitizers, never in what is installed.
 */
#ifdef PB_SANITIZERS
static const char *const sanitizer_calls[] = {
	"clone", "clone3", "ptrace", "wait4", "waitid", "prctl", "getdents",
	"process_vm_readv", "sched_getaffinity", "mincore", "personality",
	"set_robust_list", "rseq", "getcwd", "setrlimit", "kill", "tgkill",
};
#endif

/*
 * PROVBOX_SECCOMP=trap: the forbidden call is named on stderr before the
 * daemon stops, for an admin who sees a SIGSYS and wants to know which.
 * Only async-signal-safe calls here.
 */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char	msg[96] = "seccomp: forbidden system call ", num[12];
	size_t	len = strlen(msg), n = 0;
	int	nr = si->si_syscall;

	(void)uc;
	do
		num[n++] = (char)('0' + nr % 10);
	while ((nr /= 10) > 0 && n < sizeof(num));
	while (n > 0)
		msg[len++] = num[--n];
	msg[len++] = '\n';
	(void)!write(STDERR_FILENO, msg, len);
	_exit(128 + sig);
}

static int
allow_list(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;	/* not a call of this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) {
			log_warnx("seccomp: cannot allow %s", names[i]);
			return -1;
		}
	}
	return 0;
}

/* socket(family, ...) for these families only. */
static int
allow_sockets(scmp_filter_ctx ctx, const int *families, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i])) != 0) {
			log_warnx("seccomp: cannot allow socket family %d",
			    families[i]);
			return -1;
		}
	return 0;
}

int
sandbox_enter(enum sandbox_role role)
{
	/*
	 * syslog, the journal and sd_notify are AF_UNIX; the DHCP server's
	 * interface lookups netlink;
	 * AF_INET covers its ICMP socket for conflict probes too (raw,
	 * opened again by a reload that turns dhcp.conflict_check on).
	 */
	static const int	 dhcpd_af[] = { AF_UNIX, AF_INET, AF_PACKET,
				    AF_NETLINK };
	static const int	 prov_af[] = { AF_UNIX, AF_INET, AF_INET6 };
	const char		*mode = getenv("PROVBOX_SECCOMP");
	struct rlimit		 nocore = { 0, 0 };
	scmp_filter_ctx		 ctx = NULL;
	uint32_t		 deny = SCMP_ACT_KILL_PROCESS;
	int			 ret = -1;

	if (setrlimit(RLIMIT_CORE, &nocore) != 0)
		log_warn("cannot turn core dumps off");
#ifndef PB_SANITIZERS
	/* Not with sanitizers: LeakSanitizer ptraces the process. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		log_warn("prctl(PR_SET_DUMPABLE)");
#endif
	if (mode != NULL && strcmp(mode, "off") == 0) {
		log_warnx("seccomp filter off (PROVBOX_SECCOMP=off)");
		return 0;
	}
	if (mode != NULL && strcmp(mode, "trap") == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGSYS, &sa, NULL) != 0)
			log_warn("sigaction(SIGSYS)");
		log_warnx("seccomp filter names a forbidden call on stderr "
		    "before stopping (PROVBOX_SECCOMP=trap)");
		deny = SCMP_ACT_TRAP;
	}
	if (mode != NULL && strcmp(mode, "log") == 0) {
		log_warnx("seccomp filter logs calls outside its list instead "
		    "of stopping the daemon (PROVBOX_SECCOMP=log)");
		deny = SCMP_ACT_LOG;
	}
	if ((ctx = seccomp_init(deny)) == NULL) {
		log_warnx("seccomp_init failed");
		return -1;
	}
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) != 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0)
		goto done;
	if (allow_list(ctx, common_calls, sizeof(common_calls) /
	    sizeof(common_calls[0])) != 0)
		goto done;
#ifdef PB_SANITIZERS
	if (allow_list(ctx, sanitizer_calls, sizeof(sanitizer_calls) /
	    sizeof(sanitizer_calls[0])) != 0)
		goto done;
#else
	/* abort() signals itself: tgkill to this process only. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid())) != 0)
		goto done;
#endif
	if (role == SANDBOX_DHCPD)
		ret = allow_sockets(ctx, dhcpd_af, sizeof(dhcpd_af) /
		    sizeof(dhcpd_af[0]));
	else
		ret = allow_sockets(ctx, prov_af, sizeof(prov_af) /
		    sizeof(prov_af[0]));
	if (ret != 0)
		goto done;
	if ((ret = seccomp_load(ctx)) != 0) {
		log_warnx("seccomp_load: %s", strerror(-ret));
		ret = -1;
		goto done;
	}
	log_info("seccomp filter on: %s", deny == SCMP_ACT_LOG ?
	    "calls outside the list are logged" : "a call outside the list "
	    "stops the daemon (SIGSYS)");
	ret = 0;
done:
	if (ret != 0 && ctx != NULL)
		log_warnx("cannot install the seccomp filter");
	seccomp_release(ctx);
	return ret;
}

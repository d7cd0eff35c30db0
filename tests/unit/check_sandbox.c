/*
 * check_sandbox.c - the daemons' seccomp filters: a call outside the list
 * kills the process with SIGSYS; what the daemons do still runs; socket()
 * is limited to each daemon's address families; PROVBOX_SECCOMP=off is
 * the admin's way out.
 *
 * Each case runs in a child of its own: a filter cannot be taken back.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "log.h"
#include "sandbox.h"

enum act {
	ACT_EXEC,	/* execve: no daemon ever needs it */
	ACT_DAEMON_WORK,	/* what a daemon does: time, pipes, UDP */
	ACT_INET6,	/* socket(AF_INET6) */
	ACT_UNIX,	/* socket(AF_UNIX): syslog */
};

/* Runs act in a child under role's filter; returns the wait status. */
static int
run_sandboxed(enum sandbox_role role, enum act act, const char *mode)
{
	pid_t	pid;
	int	status;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		int	fds[2], s;
		char	c = 'x';

		if (mode != NULL)
			setenv("PROVBOX_SECCOMP", mode, 1);
		else
			unsetenv("PROVBOX_SECCOMP");
		if (sandbox_enter(role) != 0)
			_exit(2);
		switch (act) {
		case ACT_EXEC:
			execl("/bin/true", "true", (char *)NULL);
			_exit(3);
		case ACT_DAEMON_WORK:
			if (pipe(fds) != 0 || write(fds[1], &c, 1) != 1 ||
			    read(fds[0], &c, 1) != 1 || time(NULL) == -1)
				_exit(4);
			if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
				_exit(5);
			close(s);
			_exit(0);
		case ACT_INET6:
			s = socket(AF_INET6, SOCK_STREAM, 0);
			_exit(s == -1 ? 6 : 0);
		case ACT_UNIX:
			s = socket(AF_UNIX, SOCK_DGRAM, 0);
			_exit(s == -1 ? 7 : 0);
		}
		_exit(8);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void
assert_killed(int status)
{
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	    "expected death by SIGSYS, got %s %d", WIFSIGNALED(status) ?
	    "signal" : "exit", WIFSIGNALED(status) ? WTERMSIG(status) :
	    WEXITSTATUS(status));
}

static void
assert_exit0(int status)
{
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "expected exit 0, got %s %d", WIFSIGNALED(status) ? "signal" :
	    "exit", WIFSIGNALED(status) ? WTERMSIG(status) :
	    WEXITSTATUS(status));
}

START_TEST(test_exec_kills)
{
	assert_killed(run_sandboxed(SANDBOX_DHCPD, ACT_EXEC, NULL));
	assert_killed(run_sandboxed(SANDBOX_PROVISIOND, ACT_EXEC, NULL));
}
END_TEST

START_TEST(test_daemon_work_runs)
{
	assert_exit0(run_sandboxed(SANDBOX_DHCPD, ACT_DAEMON_WORK, NULL));
	assert_exit0(run_sandboxed(SANDBOX_PROVISIOND, ACT_DAEMON_WORK,
	    NULL));
	assert_exit0(run_sandboxed(SANDBOX_DHCPD, ACT_UNIX, NULL));
}
END_TEST

/* The DHCP server has no IPv6 socket to open; provisiond listens on v6. */
START_TEST(test_socket_families)
{
	assert_killed(run_sandboxed(SANDBOX_DHCPD, ACT_INET6, NULL));
	assert_exit0(run_sandboxed(SANDBOX_PROVISIOND, ACT_INET6, NULL));
}
END_TEST

START_TEST(test_off_mode)
{
	assert_exit0(run_sandboxed(SANDBOX_DHCPD, ACT_EXEC, "off"));
	/* An unknown mode is the default: kill. */
	assert_killed(run_sandboxed(SANDBOX_DHCPD, ACT_EXEC, "bogus"));
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("seccomp");

	tcase_add_test(tc, test_exec_kills);
	tcase_add_test(tc, test_daemon_work_runs);
	tcase_add_test(tc, test_socket_families);
	tcase_add_test(tc, test_off_mode);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_init("check_sandbox", 1, PB_LOG_WARNING);
	return tu_run(sandbox_suite());
}

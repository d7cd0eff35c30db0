/*
 * sandbox.h - the seccomp filter each daemon runs under once it has
 * started: a list of the system calls it uses, and death (SIGSYS) for
 * any other, so code an attacker gets to run cannot exec, ptrace, open
 * new kinds of sockets or load kernel modules.
 */
#ifndef PB_SANDBOX_H
#define PB_SANDBOX_H

enum sandbox_role {
	SANDBOX_DHCPD,
	SANDBOX_PROVISIOND,
};

/*
 * Installs role's filter (with no_new_privs, which seccomp requires) and
 * turns core dumps off: a core would hold SIP passwords and the TLS key.
 * The environment variable PROVBOX_SECCOMP changes what a call outside
 * the list does: "log" lets it run and has the kernel log it (for an
 * admin chasing a call a new library version makes), "trap" writes the
 * forbidden call's number to stderr before stopping, "off" installs no
 * filter; all three are logged as warnings. 0, or -1 (logged) when the filter
 * could not be installed.
 */
int	sandbox_enter(enum sandbox_role role);

#endif /* PB_SANDBOX_H */

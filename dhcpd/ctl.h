/*
 * ctl.h - provbox-dhcpd's own control-socket commands (ctlsock.h):
 * statistic-get, lease-list, lease-get, lease-release, lease-delete.
 * Their answers are documented in provboxctl(8).
 */
#ifndef PB_DHCPD_CTL_H
#define PB_DHCPD_CTL_H

#include <stddef.h>

#include "ctlsock.h"

extern const struct ctl_command	dhcpd_ctl_commands[];
extern const size_t		dhcpd_ctl_ncommands;

#endif /* PB_DHCPD_CTL_H */

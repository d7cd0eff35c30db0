/*
 * ctl.h - provbox-provisiond's own control-socket commands (ctlsock.h):
 * statistic-get, device-get, guard-list, guard-unblock. Their answers are
 * documented in provboxctl(8).
 */
#ifndef PB_PROVD_CTL_H
#define PB_PROVD_CTL_H

#include <stddef.h>

#include "ctlsock.h"

extern const struct ctl_command	provd_ctl_commands[];
extern const size_t		provd_ctl_ncommands;

#endif /* PB_PROVD_CTL_H */

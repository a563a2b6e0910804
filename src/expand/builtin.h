/*
 * builtin.h - the profiles compiled into krm-fn, one YAML document per
 * string, NULL-terminated.
 *
 * They are ordinary CostProfile / MonitoringProfile objects: the catalog
 * parses this text with the same parser and the profiles are decoded by
 * the same code as a platform team's own, so a built-in can be copied out
 * (see examples/profiles) and edited.
 */
#ifndef CM_BUILTIN_H
#define CM_BUILTIN_H

extern const char *const cm_builtin_profiles[];

#endif

/* version.h -- meshwalk's version, one place for --version and results. */
#ifndef MW_UTIL_VERSION_H
#define MW_UTIL_VERSION_H

#define MESHWALK_VERSION "0.2.0"

#endif

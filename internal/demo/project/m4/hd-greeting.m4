# hd-greeting.m4 serial 2
dnl A project-local macro, tracked in git.
AC_DEFUN([HD_CHECK_GREETING],
[
  AC_MSG_CHECKING([for a greeting])
  AC_DEFINE([HAVE_GREETING], [1], [Define to 1 if a greeting is available.])
  AC_MSG_RESULT([yes])
])

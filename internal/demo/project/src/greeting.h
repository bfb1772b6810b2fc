#ifndef GREETING_H
#define GREETING_H
#define GREETING "Hello"
#endif

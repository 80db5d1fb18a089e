#ifndef KO_LLAMA_COPENBLAS_SHIM_H
#define KO_LLAMA_COPENBLAS_SHIM_H
#include <cblas.h>
#endif

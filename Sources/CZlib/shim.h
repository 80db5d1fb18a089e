#ifndef KO_LLAMA_CZLIB_SHIM_H
#define KO_LLAMA_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit2 / inflateInit2 are macros that pass the library version and struct size.
static inline int kl_deflate_init_gzip(z_streamp s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int kl_inflate_init_gzip(z_streamp s) { return inflateInit2(s, 15 + 16); }
#endif

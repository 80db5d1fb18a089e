#ifndef KO_LLAMA_CICUSHIM_H
#define KO_LLAMA_CICUSHIM_H
// ICU behind a C-only API. Only <stdint.h> types appear here: Foundation on Linux ships its own
// ICU clang module, and any ICU header visible to Swift clashes with it (see NOTES.md).
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Normalization forms understood by `kl_icu_normalize_utf8`.
enum {
    KL_ICU_NFC = 0,
    KL_ICU_NFKC = 1,
    KL_ICU_NFD = 2,
    KL_ICU_NFKD = 3,
    KL_ICU_NFKC_CASEFOLD = 4,
};

/// Normalizes UTF-8 `src` into `dst` (capacity `cap` bytes, no terminator written).
/// Returns the output length in bytes; if it exceeds `cap`, nothing useful was written and
/// the caller retries with a larger buffer. Returns -1 on invalid input or an ICU failure,
/// with the ICU error code in `*icu_error`.
int32_t kl_icu_normalize_utf8(int32_t form, const char *src, int32_t len,
                              char *dst, int32_t cap, int32_t *icu_error);

/// Returns 1 when `src` (UTF-8) is already in the given form per ICU's quick check
/// (a definite yes), 0 otherwise (no or maybe), -1 on error.
int32_t kl_icu_is_normalized_utf8(int32_t form, const char *src, int32_t len, int32_t *icu_error);

/// Converts bytes in `charset` (an ICU converter name, e.g. "windows-949") to UTF-8.
/// Undecodable sequences become U+FFFD and are counted in `*invalid_count`.
/// Returns the UTF-8 length (retry with a larger `cap` when it exceeds it), or -1 on failure
/// (unknown charset: ICU error U_FILE_ACCESS_ERROR=4).
int32_t kl_icu_convert_to_utf8(const char *charset, const char *src, int32_t len,
                               char *dst, int32_t cap, int32_t *invalid_count, int32_t *icu_error);

/// Converts UTF-8 to bytes in `charset`; characters the charset lacks become its substitution
/// character and are counted in `*unmappable_count`. Returns the output length (retry with a
/// larger `cap` when it exceeds it), or -1 on failure.
int32_t kl_icu_convert_from_utf8(const char *charset, const char *src, int32_t len,
                                 char *dst, int32_t cap, int32_t *unmappable_count, int32_t *icu_error);

/// Returns 1 when ICU knows a converter named `charset`, else 0.
int32_t kl_icu_charset_known(const char *charset);

/// Guesses the charset of `src` with ICU's detector. Writes the NUL-terminated name into
/// `name` (capacity `cap`) and the confidence (0-100) into `*confidence`; returns 1 on
/// success, 0 when nothing matched, -1 on error.
int32_t kl_icu_detect_charset(const char *src, int32_t len, char *name, int32_t cap,
                              int32_t *confidence, int32_t *icu_error);

/// The ICU UScriptCode of a code point (e.g. 18 = Hangul, 25 = Latin, 17 = Han, 0 = Common,
/// 1 = Inherited).
int32_t kl_icu_script(uint32_t code_point);

/// The ICU general category (UCharCategory) of a code point.
int32_t kl_icu_char_category(uint32_t code_point);

#ifdef __cplusplus
}
#endif
#endif

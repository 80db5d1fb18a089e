#include "CICUShim.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucnv_err.h>
#include <unicode/ucsdet.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

static const UNormalizer2 *normalizer_for(int32_t form, UErrorCode *err) {
    switch (form) {
    case KL_ICU_NFC: return unorm2_getNFCInstance(err);
    case KL_ICU_NFKC: return unorm2_getNFKCInstance(err);
    case KL_ICU_NFD: return unorm2_getNFDInstance(err);
    case KL_ICU_NFKD: return unorm2_getNFKDInstance(err);
    case KL_ICU_NFKC_CASEFOLD: return unorm2_getNFKCCasefoldInstance(err);
    default: *err = U_ILLEGAL_ARGUMENT_ERROR; return NULL;
    }
}

/// UTF-8 -> freshly allocated UTF-16; returns NULL on error.
static UChar *utf16_from_utf8(const char *src, int32_t len, int32_t *out_len, UErrorCode *err) {
    int32_t needed = 0;
    u_strFromUTF8(NULL, 0, &needed, src, len, err);
    if (*err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(*err)) return NULL;
    *err = U_ZERO_ERROR;
    UChar *buf = (UChar *)malloc(sizeof(UChar) * (size_t)(needed + 1));
    if (!buf) { *err = U_MEMORY_ALLOCATION_ERROR; return NULL; }
    u_strFromUTF8(buf, needed + 1, out_len, src, len, err);
    if (U_FAILURE(*err)) { free(buf); return NULL; }
    return buf;
}

int32_t kl_icu_normalize_utf8(int32_t form, const char *src, int32_t len,
                              char *dst, int32_t cap, int32_t *icu_error) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *norm = normalizer_for(form, &err);
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    int32_t u16len = 0;
    UChar *u16 = utf16_from_utf8(src, len, &u16len, &err);
    if (!u16) { *icu_error = err; return -1; }
    // Normalization can grow text (NFKD of a syllable, ligatures): allow 4x plus slack.
    int32_t cap16 = u16len * 4 + 16;
    UChar *out16 = (UChar *)malloc(sizeof(UChar) * (size_t)cap16);
    if (!out16) { free(u16); *icu_error = U_MEMORY_ALLOCATION_ERROR; return -1; }
    int32_t n16 = unorm2_normalize(norm, u16, u16len, out16, cap16, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
        err = U_ZERO_ERROR;
        free(out16);
        cap16 = n16 + 1;
        out16 = (UChar *)malloc(sizeof(UChar) * (size_t)cap16);
        if (!out16) { free(u16); *icu_error = U_MEMORY_ALLOCATION_ERROR; return -1; }
        n16 = unorm2_normalize(norm, u16, u16len, out16, cap16, &err);
    }
    free(u16);
    if (U_FAILURE(err)) { free(out16); *icu_error = err; return -1; }
    int32_t n8 = 0;
    u_strToUTF8(dst, cap, &n8, out16, n16, &err);
    free(out16);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) err = U_ZERO_ERROR;
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    *icu_error = 0;
    return n8;
}

int32_t kl_icu_is_normalized_utf8(int32_t form, const char *src, int32_t len, int32_t *icu_error) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *norm = normalizer_for(form, &err);
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    int32_t u16len = 0;
    UChar *u16 = utf16_from_utf8(src, len, &u16len, &err);
    if (!u16) { *icu_error = err; return -1; }
    UNormalizationCheckResult r = unorm2_quickCheck(norm, u16, u16len, &err);
    free(u16);
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    *icu_error = 0;
    return r == UNORM_YES ? 1 : 0;
}

/// A to-Unicode callback that counts each undecodable sequence, then substitutes U+FFFD.
static void count_and_substitute(const void *context, UConverterToUnicodeArgs *args,
                                 const char *codeUnits, int32_t length,
                                 UConverterCallbackReason reason, UErrorCode *err) {
    if (reason == UCNV_ILLEGAL || reason == UCNV_UNASSIGNED || reason == UCNV_IRREGULAR) {
        (*(int32_t *)context)++;
        static const UChar replacement = 0xFFFD;
        *err = U_ZERO_ERROR;
        ucnv_cbToUWriteUChars(args, &replacement, 1, 0, err);
    }
    (void)codeUnits; (void)length;
}

int32_t kl_icu_convert_to_utf8(const char *charset, const char *src, int32_t len,
                               char *dst, int32_t cap, int32_t *invalid_count, int32_t *icu_error) {
    UErrorCode err = U_ZERO_ERROR;
    *invalid_count = 0;
    UConverter *conv = ucnv_open(charset, &err);
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    int32_t counted = 0;
    ucnv_setToUCallBack(conv, (UConverterToUCallback)count_and_substitute, &counted, NULL, NULL, &err);
    if (U_FAILURE(err)) { ucnv_close(conv); *icu_error = err; return -1; }
    int32_t cap16 = len * 2 + 16;
    UChar *u16 = (UChar *)malloc(sizeof(UChar) * (size_t)cap16);
    if (!u16) { ucnv_close(conv); *icu_error = U_MEMORY_ALLOCATION_ERROR; return -1; }
    int32_t n16 = ucnv_toUChars(conv, u16, cap16, src, len, &err);
    ucnv_close(conv);
    if (U_FAILURE(err) && err != U_STRING_NOT_TERMINATED_WARNING) { free(u16); *icu_error = err; return -1; }
    err = U_ZERO_ERROR;
    int32_t n8 = 0;
    u_strToUTF8(dst, cap, &n8, u16, n16, &err);
    free(u16);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) err = U_ZERO_ERROR;
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    *invalid_count = counted;
    *icu_error = 0;
    return n8;
}

/// A from-Unicode callback that counts each unmappable character, then substitutes.
static void count_and_substitute_from(const void *context, UConverterFromUnicodeArgs *args,
                                      const UChar *codeUnits, int32_t length, UChar32 codePoint,
                                      UConverterCallbackReason reason, UErrorCode *err) {
    if (reason == UCNV_ILLEGAL || reason == UCNV_UNASSIGNED || reason == UCNV_IRREGULAR) {
        (*(int32_t *)context)++;
    }
    UCNV_FROM_U_CALLBACK_SUBSTITUTE(NULL, args, codeUnits, length, codePoint, reason, err);
}

int32_t kl_icu_convert_from_utf8(const char *charset, const char *src, int32_t len,
                                 char *dst, int32_t cap, int32_t *unmappable_count, int32_t *icu_error) {
    UErrorCode err = U_ZERO_ERROR;
    *unmappable_count = 0;
    int32_t u16len = 0;
    UChar *u16 = utf16_from_utf8(src, len, &u16len, &err);
    if (!u16) { *icu_error = err; return -1; }
    UConverter *conv = ucnv_open(charset, &err);
    if (U_FAILURE(err)) { free(u16); *icu_error = err; return -1; }
    int32_t counted = 0;
    ucnv_setFromUCallBack(conv, (UConverterFromUCallback)count_and_substitute_from, &counted, NULL, NULL, &err);
    int32_t n = ucnv_fromUChars(conv, dst, cap, u16, u16len, &err);
    ucnv_close(conv);
    free(u16);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) err = U_ZERO_ERROR;
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    *unmappable_count = counted;
    *icu_error = 0;
    return n;
}

int32_t kl_icu_charset_known(const char *charset) {
    UErrorCode err = U_ZERO_ERROR;
    UConverter *conv = ucnv_open(charset, &err);
    if (U_FAILURE(err)) return 0;
    ucnv_close(conv);
    return 1;
}

int32_t kl_icu_detect_charset(const char *src, int32_t len, char *name, int32_t cap,
                              int32_t *confidence, int32_t *icu_error) {
    UErrorCode err = U_ZERO_ERROR;
    UCharsetDetector *det = ucsdet_open(&err);
    if (U_FAILURE(err)) { *icu_error = err; return -1; }
    ucsdet_setText(det, src, len, &err);
    const UCharsetMatch *match = ucsdet_detect(det, &err);
    if (U_FAILURE(err) || !match) { ucsdet_close(det); *icu_error = err; return U_FAILURE(err) ? -1 : 0; }
    const char *found = ucsdet_getName(match, &err);
    *confidence = ucsdet_getConfidence(match, &err);
    if (U_FAILURE(err) || !found) { ucsdet_close(det); *icu_error = err; return -1; }
    strncpy(name, found, (size_t)cap - 1);
    name[cap - 1] = 0;
    ucsdet_close(det);
    *icu_error = 0;
    return 1;
}

int32_t kl_icu_script(uint32_t code_point) {
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode s = uscript_getScript((UChar32)code_point, &err);
    return U_FAILURE(err) ? -1 : (int32_t)s;
}

int32_t kl_icu_char_category(uint32_t code_point) {
    return (int32_t)u_charType((UChar32)code_point);
}

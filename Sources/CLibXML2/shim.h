#ifndef KO_LLAMA_CLIBXML2_SHIM_H
#define KO_LLAMA_CLIBXML2_SHIM_H
// libxml2 on Debian is built with ICU; its encoding.h would pull ICU headers into Swift and
// clash with Foundation's own ICU module. Undefine the flag before the other headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xmlerror.h>

/// `xmlFree` is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void kl_xml_free(void *ptr) { xmlFree(ptr); }
#endif

/*
 * xmllib.c - loading libxml2 on first use (see xmllib.h).
 *
 * The library's file name is the one the build linked against
 * (LIBXML2_SONAME, found by configure), so the functions and the headers
 * they were compiled with agree.  It is loaded once, with RTLD_LOCAL so
 * that nothing else sees its symbols, and never unloaded.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "migrate/xmllib.h"

const struct xmllib *xmllib_loaded;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct xmllib table;
static char why[512];

/* Looks up name; records the first that is missing. */
static void *
sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL && why[0] == '\0')
		snprintf(why, sizeof(why), "%s has no %s", LIBXML2_SONAME,
		    name);
	return p;
}

#define SYM(field, name) \
	(*(void **)(&table.field) = sym(h, name))

static void
load(void)
{
	void *h, *f;
	const char *e;

	if ((h = dlopen(LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(why, sizeof(why), "%s", e != NULL ? e :
		    LIBXML2_SONAME ": cannot be loaded");
		return;
	}
	SYM(NewParserCtxt, "xmlNewParserCtxt");
	SYM(CtxtReadMemory, "xmlCtxtReadMemory");
	SYM(StopParser, "xmlStopParser");
	SYM(FreeParserCtxt, "xmlFreeParserCtxt");
	SYM(DocGetRootElement, "xmlDocGetRootElement");
	SYM(FreeDoc, "xmlFreeDoc");
	SYM(GetLineNo, "xmlGetLineNo");
	SYM(NodeGetContent, "xmlNodeGetContent");
	SYM(BufferCreate, "xmlBufferCreate");
	SYM(BufferFree, "xmlBufferFree");
	SYM(BufferLength, "xmlBufferLength");
	SYM(BufferContent, "xmlBufferContent");
	SYM(NewTextWriterMemory, "xmlNewTextWriterMemory");
	SYM(FreeTextWriter, "xmlFreeTextWriter");
	SYM(TextWriterSetIndent, "xmlTextWriterSetIndent");
	SYM(TextWriterSetIndentString, "xmlTextWriterSetIndentString");
	SYM(TextWriterStartDocument, "xmlTextWriterStartDocument");
	SYM(TextWriterEndDocument, "xmlTextWriterEndDocument");
	SYM(TextWriterStartElement, "xmlTextWriterStartElement");
	SYM(TextWriterEndElement, "xmlTextWriterEndElement");
	SYM(TextWriterWriteAttribute, "xmlTextWriterWriteAttribute");
	SYM(TextWriterWriteElement, "xmlTextWriterWriteElement");
	SYM(TextWriterWriteComment, "xmlTextWriterWriteComment");
	SYM(TextWriterWriteString, "xmlTextWriterWriteString");
	/*
	 * xmlFree is a variable holding the function, or (libxml2 built
	 * with per-thread allocators) a function returning its address.
	 */
	if ((f = dlsym(h, "xmlFree")) != NULL)
		table.Free = *(xmlFreeFunc *)f;
	else if ((f = dlsym(h, "__xmlFree")) != NULL)
		table.Free = *((xmlFreeFunc *(*)(void))f)();
	else if (why[0] == '\0')
		snprintf(why, sizeof(why), "%s has no xmlFree", LIBXML2_SONAME);
	if (why[0] == '\0')
		xmllib_loaded = &table;
}

const struct xmllib *
xmllib_load(struct offmig_ctx *ctx)
{
	if (pthread_once(&once, load) != 0 || xmllib_loaded == NULL) {
		ctx_set_error(ctx, OFFMIG_EIO, 0, "the XML library cannot be "
		    "used (%s): install libxml2 (Debian: apt-get install "
		    "libxml2)", why[0] != '\0' ? why : "pthread_once failed");
		return NULL;
	}
	return xmllib_loaded;
}

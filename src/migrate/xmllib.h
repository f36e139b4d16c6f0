/*
 * xmllib.h - libxml2, loaded the first time migration XML is read or
 * written.  Most commands never touch XML, and loading libxml2 with what
 * it needs (ICU, the C++ runtime) cost every start of offmig several
 * milliseconds, as much as a small report takes.  The functions keep
 * libxml2's types (from its headers, which the build requires); they are
 * called through the table: XL->CtxtReadMemory(...).
 */
#ifndef OFFMIG_XMLLIB_H
#define OFFMIG_XMLLIB_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>

#include "common/common.h"

struct xmllib {
	/* Parsing (usmtxml.c). */
	__typeof__(xmlNewParserCtxt)		*NewParserCtxt;
	__typeof__(xmlCtxtReadMemory)		*CtxtReadMemory;
	__typeof__(xmlStopParser)		*StopParser;
	__typeof__(xmlFreeParserCtxt)		*FreeParserCtxt;
	__typeof__(xmlDocGetRootElement)	*DocGetRootElement;
	__typeof__(xmlFreeDoc)			*FreeDoc;
	__typeof__(xmlGetLineNo)		*GetLineNo;
	__typeof__(xmlNodeGetContent)		*NodeGetContent;
	xmlFreeFunc				 Free;
	/* Writing (genxml.c). */
	__typeof__(xmlBufferCreate)		*BufferCreate;
	__typeof__(xmlBufferFree)		*BufferFree;
	__typeof__(xmlBufferLength)		*BufferLength;
	__typeof__(xmlBufferContent)		*BufferContent;
	__typeof__(xmlNewTextWriterMemory)	*NewTextWriterMemory;
	__typeof__(xmlFreeTextWriter)		*FreeTextWriter;
	__typeof__(xmlTextWriterSetIndent)	*TextWriterSetIndent;
	__typeof__(xmlTextWriterSetIndentString) *TextWriterSetIndentString;
	__typeof__(xmlTextWriterStartDocument)	*TextWriterStartDocument;
	__typeof__(xmlTextWriterEndDocument)	*TextWriterEndDocument;
	__typeof__(xmlTextWriterStartElement)	*TextWriterStartElement;
	__typeof__(xmlTextWriterEndElement)	*TextWriterEndElement;
	__typeof__(xmlTextWriterWriteAttribute)	*TextWriterWriteAttribute;
	__typeof__(xmlTextWriterWriteElement)	*TextWriterWriteElement;
	__typeof__(xmlTextWriterWriteComment)	*TextWriterWriteComment;
	__typeof__(xmlTextWriterWriteString)	*TextWriterWriteString;
};

/*
 * Loads libxml2 once (any thread); returns the table, or NULL with the
 * reason in ctx (OFFMIG_EIO: the library or one of its functions is
 * missing).  Every entry point that uses XML calls it before anything
 * else; after that, XL is the table.
 */
const struct xmllib *xmllib_load(struct offmig_ctx *ctx);
extern const struct xmllib *xmllib_loaded;
#define XL	xmllib_loaded

#endif /* OFFMIG_XMLLIB_H */

/*
 * sam.c - local accounts from the SAM hive: the machine SID from
 * Domains\Account's V value, and each account's RID, name and flags.
 *
 * The RID of an account is the type field of the default value of
 * Users\Names\<name>; the V value of Users\<RID> holds the names at offsets
 * relative to 0xCC; F holds the last logon and the account flags.  Every
 * offset read from the hive is checked against the value's length.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"

void
sam_info_release(struct sam_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	for (i = 0; i < info->nusers; i++) {
		free(info->users[i].name);
		free(info->users[i].full_name);
	}
	free(info->users);
	free(info->machine_sid);
	memset(info, 0, sizeof(*info));
}

const struct sam_user *
sam_find_rid(const struct sam_info *info, uint32_t rid)
{
	size_t i;

	for (i = 0; i < info->nusers; i++)
		if (info->users[i].rid == rid)
			return &info->users[i];
	return NULL;
}

/*
 * The machine SID.  Account\V ends with the domain SID, S-1-5-21-a-b-c:
 * 24 bytes (revision 1, 4 sub-authorities, authority 5, then 21, a, b, c),
 * so its last 12 bytes are a, b and c as little-endian dwords.  A V too
 * short to hold a SID after its 0x30-byte header gives no machine SID;
 * when the 24 bytes do not look like that SID, the last 12 bytes are still
 * taken, as Windows' own tools do.
 */
static char *
machine_sid(struct offmig_ctx *ctx, struct hive *sam, hnode account)
{
	static const unsigned char head[12] = {
		1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0
	};
	size_t len;
	void *data;
	unsigned char *p;
	char *sid = NULL;

	if (hive_get_raw(ctx, sam, account, "V", NULL, &data, &len) !=
	    OFFMIG_OK)
		return NULL;
	p = data;
	if (len >= 0x30 + 24 && memcmp(p + len - 24, head, sizeof(head)) == 0)
		sid = sid_to_string(p + len - 24, 24);
	else if (len >= 0x30 + 12)
		sid = str_printf("S-1-5-21-%u-%u-%u", le32(p + len - 12),
		    le32(p + len - 8), le32(p + len - 4));
	free(data);
	return sid;
}

/* Reads the full name from Users\<RID>\V (entry 2 of the header). */
static char *
full_name(struct offmig_ctx *ctx, struct hive *sam, hnode user)
{
	size_t len;
	void *data;
	unsigned char *p;
	uint64_t off, n;
	char *s = NULL;

	if (hive_get_raw(ctx, sam, user, "V", NULL, &data, &len) != OFFMIG_OK)
		return NULL;
	p = data;
	/*
	 * The header is 17 entries of (offset, length, unknown) dwords; the
	 * data follows it at 0xCC.  Entry 1 (at 0x0C) is the user name,
	 * entry 2 (at 0x18) the full name.  Both numbers come from the hive:
	 * they are checked in 64 bits against the value's length.
	 */
	if (len >= 0xCC) {
		off = (uint64_t)le32(p + 0x18) + 0xCC;
		n = le32(p + 0x1C);
		if (n > 0 && n <= 1024 && off <= len && n <= len - off)
			s = utf16le_to_utf8(p + off, (size_t)n, NULL);
	}
	free(data);
	if (s != NULL && *s == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

static void
read_f(struct offmig_ctx *ctx, struct hive *sam, hnode user,
    struct sam_user *u)
{
	size_t len;
	void *data;
	unsigned char *p;

	u->last_logon = NO_TIME;
	if (hive_get_raw(ctx, sam, user, "F", NULL, &data, &len) != OFFMIG_OK)
		return;
	p = data;
	/* F: last logon FILETIME at 0x08, account control bits at 0x38. */
	if (len >= 0x3C) {
		u->last_logon = filetime_to_unix(le64(p + 0x08));
		u->acb_flags = le16(p + 0x38);
	}
	free(data);
}

int
sam_read(struct offmig_ctx *ctx, struct hive *sam, struct sam_info *info)
{
	hnode account, names, users, *kids = NULL;
	size_t nk = 0, i;
	int ret;

	memset(info, 0, sizeof(*info));
	if (hive_lookup(ctx, sam, 0, "SAM\\Domains\\Account", &account) !=
	    OFFMIG_OK)
		return OFFMIG_OK;	/* not laid out as Windows does: no users */
	info->machine_sid = machine_sid(ctx, sam, account);
	if (hive_lookup(ctx, sam, account, "Users", &users) != OFFMIG_OK ||
	    hive_lookup(ctx, sam, users, "Names", &names) != OFFMIG_OK)
		return OFFMIG_OK;
	if ((ret = hive_children(ctx, sam, names, &kids, &nk)) != OFFMIG_OK)
		return ret;
	if (nk > 0 && (info->users = calloc(nk, sizeof(*info->users))) ==
	    NULL) {
		free(kids);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
		    hive_name(sam));
	}
	for (i = 0; i < nk; i++) {
		struct sam_user *u = &info->users[info->nusers];
		char ridkey[16];
		uint32_t type;
		hnode uk;
		char *name = hive_key_name(ctx, sam, kids[i]);

		if (name == NULL)
			continue;
		/* The RID is stored as the type of the default value. */
		if (hive_value_type(ctx, sam, kids[i], "", &type, NULL) !=
		    OFFMIG_OK) {
			free(name);
			continue;
		}
		u->rid = type;
		u->name = name;
		u->last_logon = NO_TIME;
		snprintf(ridkey, sizeof(ridkey), "%08X", type);
		if (hive_lookup(ctx, sam, users, ridkey, &uk) == OFFMIG_OK) {
			u->full_name = full_name(ctx, sam, uk);
			read_f(ctx, sam, uk, u);
		}
		info->nusers++;
	}
	free(kids);
	return OFFMIG_OK;
}

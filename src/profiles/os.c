/*
 * os.c - what the installation is: product, edition, version and build from
 * SOFTWARE; control set, computer name, architecture and last shutdown from
 * SYSTEM; the architecture cross-checked against System32\cmd.exe's PE
 * header.  Missing values are reported as null, never guessed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiles/profiles.h"

#define CURRENTVERSION	"Microsoft\\Windows NT\\CurrentVersion"

int
os_control_set(struct offmig_ctx *ctx, struct hive *system, char **csp,
    hnode *keyp)
{
	char name[32];
	uint32_t cur;
	hnode sel;
	int ret;

	*csp = NULL;
	*keyp = 0;
	if ((ret = hive_lookup(ctx, system, 0, "Select", &sel)) != OFFMIG_OK ||
	    (ret = hive_get_dword(ctx, system, sel, "Current", &cur)) !=
	    OFFMIG_OK)
		return ret == OFFMIG_ENOTFOUND ? OFFMIG_ENOTFOUND : ret;
	/* Three digits at least, as Windows names them (ControlSet001). */
	snprintf(name, sizeof(name), "ControlSet%03u", cur);
	if ((ret = hive_lookup(ctx, system, 0, name, keyp)) != OFFMIG_OK)
		return ret;
	if ((*csp = strdup(name)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	return OFFMIG_OK;
}

/* A string value at path below from, or NULL. */
static char *
get_str(struct offmig_ctx *ctx, struct hive *h, hnode from, const char *path,
    const char *name)
{
	hnode k;
	char *s;

	if (hive_lookup(ctx, h, from, path, &k) != OFFMIG_OK ||
	    hive_get_string(ctx, h, k, name, &s, NULL) != OFFMIG_OK)
		return NULL;
	return s;
}

char *
os_computer_name(struct offmig_volume *vol)
{
	struct hive *sys;
	char *cs;
	hnode csk;
	char *name;

	if (volume_sys_hive(vol, SYS_HIVE_SYSTEM, &sys) != OFFMIG_OK ||
	    os_control_set(vol->ctx, sys, &cs, &csk) != OFFMIG_OK)
		return NULL;
	free(cs);
	name = get_str(vol->ctx, sys, csk,
	    "Control\\ComputerName\\ComputerName", "ComputerName");
	return name;
}

static void
add_str_value(struct offmig_ctx *ctx, struct offmig_doc *doc,
    struct offmig_node *o, const char *field, struct hive *h, hnode k,
    const char *name)
{
	char *s = NULL;

	if (k == 0 || hive_get_string(ctx, h, k, name, &s, NULL) != OFFMIG_OK)
		s = NULL;
	doc_add_str(doc, o, field, s);
	free(s);
}

/* Architecture names as Windows' PROCESSOR_ARCHITECTURE spells them. */
static const char *
arch_from_env(const char *pa)
{
	if (pa == NULL)
		return NULL;
	if (strcasecmp(pa, "AMD64") == 0)
		return "x64";
	if (strcasecmp(pa, "x86") == 0)
		return "x86";
	if (strcasecmp(pa, "ARM64") == 0)
		return "arm64";
	if (strcasecmp(pa, "IA64") == 0)
		return "ia64";
	if (strcasecmp(pa, "ARM") == 0)
		return "arm";
	return NULL;
}

/*
 * Reads the machine field of System32\cmd.exe: "MZ", e_lfanew at 0x3C,
 * "PE\0\0", then the machine type.  Returns NULL when unreadable.
 */
static const char *
arch_from_cmd(struct offmig_volume *vol, char **whyp)
{
	struct offmig_ctx quiet;
	unsigned char mz[64], pe[6];
	uint32_t lfanew;
	int fd;
	const char *arch = NULL;

	*whyp = NULL;
	memset(&quiet, 0, sizeof(quiet));
	if (vpath_resolve(&quiet, vol->windirfd, "System32\\cmd.exe",
	    VPATH_FILE, &fd, NULL, NULL) != OFFMIG_OK) {
		*whyp = strdup("System32\\cmd.exe is missing");
		return NULL;
	}
	if (pread(fd, mz, sizeof(mz), 0) != (ssize_t)sizeof(mz) ||
	    mz[0] != 'M' || mz[1] != 'Z') {
		*whyp = strdup("System32\\cmd.exe is not a Windows program");
		goto out;
	}
	lfanew = le32(mz + 0x3C);
	if (lfanew > 0x10000000 || pread(fd, pe, sizeof(pe), lfanew) !=
	    (ssize_t)sizeof(pe) || memcmp(pe, "PE\0\0", 4) != 0) {
		*whyp = strdup("System32\\cmd.exe has no PE header");
		goto out;
	}
	switch (le16(pe + 4)) {
	case 0x8664:
		arch = "x64";
		break;
	case 0x014C:
		arch = "x86";
		break;
	case 0xAA64:
		arch = "arm64";
		break;
	case 0x0200:
		arch = "ia64";
		break;
	case 0x01C4:
		arch = "arm";
		break;
	default:
		*whyp = str_printf("System32\\cmd.exe has unknown machine type "
		    "0x%04x", le16(pe + 4));
	}
out:
	close(fd);
	return arch;
}

int
os_build(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *os)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct offmig_node *probs, *sel, *hives;
	struct hive *sw = NULL, *sys = NULL;
	hnode cv = 0, csk = 0, k;
	char *product = NULL, *build = NULL, *cs = NULL, *pa = NULL, *why;
	const char *arch_env, *arch_cmd;
	uint32_t v, major, minor;
	uint64_t q;
	int ret;

	if ((ret = volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw)) != OFFMIG_OK)
		return ret;
	probs = doc_add_array(doc, os, "problems");
	if (hive_lookup(ctx, sw, 0, CURRENTVERSION, &cv) != OFFMIG_OK) {
		cv = 0;
		doc_push_str(doc, probs, "SOFTWARE has no Microsoft\\Windows NT\\"
		    "CurrentVersion key");
	}
	if (cv != 0 && hive_get_string(ctx, sw, cv, "ProductName", &product,
	    NULL) != OFFMIG_OK)
		product = NULL;
	if (cv != 0 && hive_get_string(ctx, sw, cv, "CurrentBuildNumber",
	    &build, NULL) != OFFMIG_OK)
		build = NULL;
	/*
	 * Windows 11 still calls itself "Windows 10" in ProductName; its build
	 * number (22000 and later) tells them apart.
	 */
	if (product != NULL && build != NULL && atoi(build) >= 22000 &&
	    strncmp(product, "Windows 10", 10) == 0) {
		char *w11 = str_printf("Windows 11%s", product + 10);

		doc_add_str(doc, os, "product_name", w11);
		doc_add_str(doc, os, "product_name_raw", product);
		free(w11);
	} else {
		doc_add_str(doc, os, "product_name", product);
		doc_add_str(doc, os, "product_name_raw", product);
	}
	add_str_value(ctx, doc, os, "edition", sw, cv, "EditionID");
	if (cv != 0 && hive_get_dword(ctx, sw, cv, "CurrentMajorVersionNumber",
	    &major) == OFFMIG_OK && hive_get_dword(ctx, sw, cv,
	    "CurrentMinorVersionNumber", &minor) == OFFMIG_OK) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%u.%u", major, minor);
		doc_add_str(doc, os, "version", buf);
	} else
		add_str_value(ctx, doc, os, "version", sw, cv, "CurrentVersion");
	doc_add_str(doc, os, "build", build);
	if (cv != 0 && hive_get_dword(ctx, sw, cv, "UBR", &v) == OFFMIG_OK)
		doc_add_int(doc, os, "ubr", v);
	else
		doc_add_null(doc, os, "ubr");
	{
		char *dv = NULL;

		if (cv == 0 || (hive_get_string(ctx, sw, cv, "DisplayVersion",
		    &dv, NULL) != OFFMIG_OK && hive_get_string(ctx, sw, cv,
		    "ReleaseId", &dv, NULL) != OFFMIG_OK))
			dv = NULL;
		doc_add_str(doc, os, "display_version", dv);
		free(dv);
	}
	add_str_value(ctx, doc, os, "csd_version", sw, cv, "CSDVersion");
	add_str_value(ctx, doc, os, "installation_type", sw, cv,
	    "InstallationType");
	add_str_value(ctx, doc, os, "registered_owner", sw, cv,
	    "RegisteredOwner");
	add_str_value(ctx, doc, os, "registered_organization", sw, cv,
	    "RegisteredOrganization");
	if (cv != 0 && hive_get_dword(ctx, sw, cv, "InstallDate", &v) ==
	    OFFMIG_OK && v != 0)
		doc_add_time(doc, os, "install_date", (int64_t)v);
	else if (cv != 0 && hive_get_qword(ctx, sw, cv, "InstallTime", &q) ==
	    OFFMIG_OK)
		doc_add_time(doc, os, "install_date", filetime_to_unix(q));
	else
		doc_add_null(doc, os, "install_date");

	/* SYSTEM. */
	if (volume_sys_hive(vol, SYS_HIVE_SYSTEM, &sys) != OFFMIG_OK) {
		sys = NULL;
		doc_push_str(doc, probs, offmig_errmsg(ctx));
	} else if (os_control_set(ctx, sys, &cs, &csk) != OFFMIG_OK) {
		csk = 0;
		doc_push_str(doc, probs, "SYSTEM has no usable Select\\Current");
	}
	doc_add_str(doc, os, "control_set", cs);
	sel = doc_add_object(doc, os, "select");
	if (sys != NULL && hive_lookup(ctx, sys, 0, "Select", &k) == OFFMIG_OK) {
		static const char *const names[] = {
			"Current", "Default", "Failed", "LastKnownGood"
		};
		static const char *const fields[] = {
			"current", "default", "failed", "last_known_good"
		};
		int i;

		for (i = 0; i < 4; i++)
			if (hive_get_dword(ctx, sys, k, names[i], &v) == OFFMIG_OK)
				doc_add_int(doc, sel, fields[i], v);
			else
				doc_add_null(doc, sel, fields[i]);
	}
	{
		char *cn = csk != 0 ? get_str(ctx, sys, csk,
		    "Control\\ComputerName\\ComputerName", "ComputerName") : NULL;
		char *hn = csk != 0 ? get_str(ctx, sys, csk,
		    "Services\\Tcpip\\Parameters", "Hostname") : NULL;

		doc_add_str(doc, os, "computer_name", cn);
		doc_add_str(doc, os, "hostname", hn);
		free(cn);
		free(hn);
	}
	if (csk != 0)
		pa = get_str(ctx, sys, csk,
		    "Control\\Session Manager\\Environment",
		    "PROCESSOR_ARCHITECTURE");
	arch_env = arch_from_env(pa);
	arch_cmd = arch_from_cmd(vol, &why);
	if (arch_env != NULL) {
		doc_add_str(doc, os, "arch", arch_env);
		doc_add_str(doc, os, "arch_source", "registry");
	} else if (arch_cmd != NULL) {
		doc_add_str(doc, os, "arch", arch_cmd);
		doc_add_str(doc, os, "arch_source", "cmd.exe");
	} else {
		doc_add_null(doc, os, "arch");
		doc_add_null(doc, os, "arch_source");
	}
	doc_add_str(doc, os, "processor_architecture", pa);
	doc_add_str(doc, os, "cmd_exe_arch", arch_cmd);
	if (arch_env != NULL && arch_cmd != NULL &&
	    strcmp(arch_env, arch_cmd) != 0) {
		char *msg = str_printf("the registry says %s but "
		    "System32\\cmd.exe is built for %s", arch_env, arch_cmd);

		doc_push_str(doc, probs, msg);
		free(msg);
	}
	if (why != NULL)
		doc_push_str(doc, probs, why);
	free(why);
	free(pa);
	{
		void *data = NULL;
		size_t len = 0;

		if (csk != 0 && hive_lookup(ctx, sys, csk, "Control\\Windows",
		    &k) == OFFMIG_OK && hive_get_raw(ctx, sys, k, "ShutdownTime",
		    NULL, &data, &len) == OFFMIG_OK && len == 8)
			doc_add_time(doc, os, "last_shutdown",
			    filetime_to_unix(le64(data)));
		else
			doc_add_null(doc, os, "last_shutdown");
		free(data);
	}
	{
		/* SystemRoot as SOFTWARE stores it, else C:\<dir found>. */
		char *wd = volume_expand(vol, "%SystemRoot%");

		doc_add_str(doc, os, "windows_dir", wd);
		doc_add_str(doc, os, "windows_dir_host", vol->windir_host);
		free(wd);
	}
	doc_add_str(doc, os, "volume", vol->root);
	doc_add_bool(doc, os, "hibernated", vol->hibernated);
	if (vol->hibernated)
		doc_push_str(doc, probs, "Windows is hibernated (hiberfil.sys "
		    "says so): what is on this volume may be older than the "
		    "running state; boot Windows and shut it down fully, or "
		    "run 'powercfg /h off', before migrating");
	hives = doc_add_array(doc, os, "hives");
	volume_doc_hives(vol, doc, hives);
	free(product);
	free(build);
	free(cs);
	return OFFMIG_OK;
}

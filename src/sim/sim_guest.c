// SPDX-License-Identifier: MIT
/*
 * The scripted guest (docs/sim-guest.md): a parser for the line-oriented script and a
 * player that, on KVM_RUN of the boot vCPU after LAUNCH_FINISH, turns each event into
 * the exits the profile's kernel delivers (KVM_EXIT_IO, KVM_EXIT_HYPERCALL,
 * KVM_EXIT_VMGEXIT (v12), KVM_EXIT_MEMORY_FAULT, KVM_EXIT_SNP_REQ_CERTS,
 * KVM_EXIT_SYSTEM_EVENT) and checks the VMM's replies on the next KVM_RUN.
 * A wrong reply is reported by the guest over the serial port, followed by a GHCB
 * termination request with SIM_TERM_REASON_SET / SIM_TERM_EXPECTATION_FAILED.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/ghcb.h"
#include "sim_internal.h"
#include "snp/report_frame.h"
#include "util/file.h"
#include "util/num.h"

/* ---- script representation ---- */

enum ev_type {
	EV_PRINT,
	EV_PSC,
	EV_PSC_MSR,
	EV_PSC_DESC,
	EV_FAULT,
	EV_CERTS,
	EV_REPORT,
	EV_WRITE_SHARED,
	EV_EXPECT_SHARED,
	EV_EXPECT_PRIVATE,
	EV_EXPECT_SHARED_STATE,
	EV_EXPECT_SHARED_VIEW_UNUSED,
	EV_TERMINATE,
	EV_SHUTDOWN,
	EV_WAIT_POWER_BUTTON,
	EV_ACPI_POWEROFF,
	EV_HALT,
};

enum ev_expect {
	EXP_OK,
	EXP_EINVAL,
	EXP_EAGAIN,
	EXP_ENOSPC,
	EXP_ERROR,
	EXP_INVALID_HDR,
	EXP_INVALID_ENTRY,
};

#define PSC_MAX_ENTRIES 253 /* VMGEXIT_PSC_MAX_COUNT (asm/sev-common.h) */

struct desc_entry {
	uint64_t gfn;
	uint8_t op;
	bool huge;
	uint16_t cur_page;
};

struct ev {
	enum ev_type type;
	unsigned int line;
	char *text;
	bool to_private;
	uint64_t gpa;
	uint64_t npages; /* in 4 KiB pages */
	bool huge;
	enum ev_expect expect;
	uint64_t expect_n;
	uint8_t *bytes;
	size_t nbytes;
	struct desc_entry *entries;
	unsigned int nr_entries;
	int cur, end; /* descriptor header; -1: defaults */
	uint32_t reserved;
	uint32_t set, code;
	bool via_ghcb; /* terminate-ghcb: the GHCB's TERM_REQUEST, not the MSR protocol */
	uint8_t report_data[64];
};

enum player_state {
	P_RUN,	      /* execute the event at pc */
	P_WAIT_REPLY, /* an exit was delivered; check the VMM's reply */
	P_FAILING,    /* printing the failure, then terminating */
	P_DONE,	      /* shutdown or termination delivered */
};

struct sim_script {
	char name[128];
	struct ev *ev;
	unsigned int n, cap;
	bool is_default;
	/* player */
	unsigned int pc;
	enum player_state st;
	uint64_t sub;	  /* progress inside the current event */
	uint64_t sub_gpa; /* the page a fault exit was delivered for */
	unsigned int loops;
	bool ghcb_ready;
	bool ghcb_pending; /* the exit in flight is the GHCB's own PSC */
	bool exit_ready;   /* a completion prepared the next exit: deliver it as it is */
	int host_error;	   /* the simulated host itself failed (-ENOMEM): KVM_RUN fails */
	int desc_cur;	   /* cur_entry of the descriptor as last issued */
	char out[512];
	size_t out_len, out_off;
	uint64_t term_data; /* the final SEV_TERM data[0] */
	bool final_shutdown;
	uint16_t acpi_val; /* the last ACPI register the guest read */
};

unsigned int sim_script_length(const struct sim_script *s)
{
	return s->n;
}

void sim_script_free(struct sim_script *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->ev[i].text);
		free(s->ev[i].bytes);
		free(s->ev[i].entries);
	}
	free(s->ev);
	free(s);
}

/* ---- parser ---- */

struct parser {
	struct sim_script *s;
	const char *name;
	unsigned int line;
	struct diag *d;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_fail(p->d, -EINVAL, "%s:%u: %s", p->name, p->line, msg);
}

static int parse_hex_bytes(const char *s, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(s), i;
	uint8_t *b;

	if (n == 0 || n % 2 || n / 2 > 4096)
		return -EINVAL;
	b = malloc(n / 2);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < n / 2; i++) {
		char hex[3] = { s[2 * i], s[2 * i + 1], 0 };
		char *end;

		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1])) {
			free(b);
			return -EINVAL;
		}
		b[i] = (uint8_t)strtoul(hex, &end, 16);
	}
	*ret = b;
	*ret_len = n / 2;
	return 0;
}

/* parse_hex_bytes() for a script argument: the script's syntax error `what`, or out of
 * memory, each said as such. */
static int parse_hex_arg(struct parser *p, const char *s, uint8_t **ret, size_t *ret_len,
			 const char *what)
{
	int r = parse_hex_bytes(s, ret, ret_len);

	if (r == -ENOMEM)
		return diag_fail(p->d, r, "%s:%u: out of memory", p->name, p->line);
	return r < 0 ? perr(p, "%s", what) : r;
}

static int parse_expect(struct parser *p, const char *v, struct ev *e)
{
	if (strcmp(v, "ok") == 0)
		e->expect = EXP_OK;
	else if (strcmp(v, "einval") == 0)
		e->expect = EXP_EINVAL;
	else if (strcmp(v, "eagain") == 0)
		e->expect = EXP_EAGAIN;
	else if (strcmp(v, "error") == 0)
		e->expect = EXP_ERROR;
	else if (strcmp(v, "invalid-hdr") == 0)
		e->expect = EXP_INVALID_HDR;
	else if (strcmp(v, "invalid-entry") == 0)
		e->expect = EXP_INVALID_ENTRY;
	else if (strncmp(v, "enospc:", 7) == 0) {
		e->expect = EXP_ENOSPC;
		if (parse_uint(v + 7, UINT64_MAX, &e->expect_n) < 0 || e->expect_n == 0)
			return perr(p, "expect=enospc:N needs a page count");
	} else
		return perr(p, "unknown expectation '%s'", v);
	return 0;
}

static int parse_state(struct parser *p, const char *v, bool *ret_private)
{
	if (v && strcmp(v, "private") == 0)
		*ret_private = true;
	else if (v && strcmp(v, "shared") == 0)
		*ret_private = false;
	else
		return perr(p, "expected 'private' or 'shared', got '%s'", v ? v : "");
	return 0;
}

static int parse_gpa(struct parser *p, const char *v, uint64_t *ret);

/* "private|shared GPA": the two arguments every page-state command starts with. */
static int parse_state_gpa(struct parser *p, char **tok, struct ev *e)
{
	int r = parse_state(p, tok[1], &e->to_private);

	return r < 0 ? r : parse_gpa(p, tok[2], &e->gpa);
}

static int parse_gpa(struct parser *p, const char *v, uint64_t *ret)
{
	if (parse_uint(v, UINT64_MAX, ret) < 0)
		return perr(p, "bad GPA '%s'", v ? v : "");
	if (*ret & (SIM_PAGE_SIZE - 1))
		return perr(p, "GPA 0x%llx is not 4 KiB aligned", (unsigned long long)*ret);
	if (*ret >= (1ull << 52))
		return perr(p, "GPA 0x%llx is beyond 52 bits", (unsigned long long)*ret);
	return 0;
}

/* Splits the line in place into at most max whitespace-separated tokens. */
static unsigned int tokenize(char *line, char **tok, unsigned int max)
{
	unsigned int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* Takes trailing `expect=...` off the token list. */
static int take_expect(struct parser *p, char **tok, unsigned int *n, struct ev *e, bool *ret_had)
{
	*ret_had = false;
	if (*n > 1 && strncmp(tok[*n - 1], "expect=", 7) == 0) {
		int r = parse_expect(p, tok[*n - 1] + 7, e);

		(*n)--;
		*ret_had = true;
		return r;
	}
	return 0;
}

static int parse_page_size(struct parser *p, const char *v, bool *ret_huge)
{
	if (strcmp(v, "4k") == 0)
		*ret_huge = false;
	else if (strcmp(v, "2m") == 0)
		*ret_huge = true;
	else
		return perr(p, "page size must be 4k or 2m, got '%s'", v);
	return 0;
}

static int parse_op(struct parser *p, const char *v, uint8_t *ret)
{
	uint64_t n;

	if (strcmp(v, "private") == 0)
		*ret = 1;
	else if (strcmp(v, "shared") == 0)
		*ret = 2;
	else if (strcmp(v, "psmash") == 0)
		*ret = 3;
	else if (strcmp(v, "unsmash") == 0)
		*ret = 4;
	else if (parse_uint(v, UINT64_MAX, &n) == 0 && n <= 15)
		*ret = (uint8_t)n;
	else
		return perr(p, "bad PSC operation '%s'", v);
	return 0;
}

/* ENTRY = OP:GPA[:4k|2m][:CUR_PAGE] */
static int parse_desc_entry(struct parser *p, char *spec, struct desc_entry *ret)
{
	char *parts[4], *save = NULL, *t;
	unsigned int n = 0;
	uint64_t gpa, cur = 0;
	bool huge = false;
	int r;

	for (t = strtok_r(spec, ":", &save); t && n < 4; t = strtok_r(NULL, ":", &save))
		parts[n++] = t;
	if (n < 2 || t)
		return perr(p, "descriptor entry must be OP:GPA[:4k|2m][:CUR_PAGE]");
	r = parse_op(p, parts[0], &ret->op);
	if (r < 0)
		return r;
	/* Hostile entries may be unaligned for their size; only 4 KiB alignment is
	 * implied by the format (the GFN field). */
	r = parse_gpa(p, parts[1], &gpa);
	if (r < 0)
		return r;
	if (n >= 3) {
		r = parse_page_size(p, parts[2], &huge);
		if (r < 0)
			return r;
	}
	if (n == 4 && (parse_uint(parts[3], UINT64_MAX, &cur) < 0 || cur > 0xfff))
		return perr(p, "bad cur_page '%s' (12 bits)", parts[3]);
	ret->gfn = gpa / SIM_PAGE_SIZE;
	ret->huge = huge;
	ret->cur_page = (uint16_t)cur;
	return 0;
}

static int parse_psc_desc(struct parser *p, char **tok, unsigned int n, struct ev *e)
{
	unsigned int i;
	uint64_t v;
	int r;

	e->cur = -1;
	e->end = -1;
	e->entries = calloc(PSC_MAX_ENTRIES + 8, sizeof(*e->entries));
	if (!e->entries)
		return -ENOMEM;
	for (i = 1; i < n; i++) {
		if (strncmp(tok[i], "cur=", 4) == 0 || strncmp(tok[i], "end=", 4) == 0 ||
		    strncmp(tok[i], "reserved=", 9) == 0) {
			const char *val = strchr(tok[i], '=') + 1;

			if (parse_uint(val, UINT64_MAX, &v) < 0 || v > UINT32_MAX ||
			    (tok[i][0] != 'r' && v > 0xffff))
				return perr(p, "bad header field '%s'", tok[i]);
			if (tok[i][0] == 'c')
				e->cur = (int)v;
			else if (tok[i][0] == 'e')
				e->end = (int)v;
			else
				e->reserved = (uint32_t)v;
			continue;
		}
		if (e->nr_entries == PSC_MAX_ENTRIES)
			return perr(p, "more than %d descriptor entries", PSC_MAX_ENTRIES);
		r = parse_desc_entry(p, tok[i], &e->entries[e->nr_entries]);
		if (r < 0)
			return r;
		e->nr_entries++;
	}
	if (!e->nr_entries)
		return perr(p, "psc-desc needs at least one entry");
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	struct sim_script *s = p->s;
	char *tok[PSC_MAX_ENTRIES + 8] = { 0 };
	struct ev e = { .line = p->line };
	bool had_expect;
	unsigned int n;
	uint64_t v;
	int r = 0;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	if (strncmp(line, "print", 5) == 0 && (line[5] == ' ' || line[5] == '\t' || !line[5])) {
		e.type = EV_PRINT;
		e.text = strdup(line[5] ? line + 6 : "");
		if (!e.text)
			return -ENOMEM;
		goto add;
	}
	n = tokenize(line, tok, sizeof(tok) / sizeof(tok[0]));
	if (n == sizeof(tok) / sizeof(tok[0]))
		return perr(p, "too many words");
	r = take_expect(p, tok, &n, &e, &had_expect);
	if (r < 0)
		goto fail;
	if (strcmp(tok[0], "psc") == 0) {
		e.type = EV_PSC;
		if (n < 4 || n > 5) {
			r = perr(p, "usage: psc private|shared GPA NPAGES [4k|2m] [expect=...]");
			goto fail;
		}
		r = parse_state_gpa(p, tok, &e);
		if (r >= 0 && n == 5)
			r = parse_page_size(p, tok[4], &e.huge);
		if (r < 0)
			goto fail;
		if (parse_uint(tok[3], UINT64_MAX, &v) < 0 || v == 0 || v > PSC_MAX_ENTRIES) {
			r = perr(p, "NPAGES must be 1..%d", PSC_MAX_ENTRIES);
			goto fail;
		}
		if (e.huge && (e.gpa & 0x1fffff)) {
			r = perr(p, "a 2m page-state change needs a 2 MiB aligned GPA");
			goto fail;
		}
		e.npages = v * (e.huge ? 512 : 1);
	} else if (strcmp(tok[0], "psc-msr") == 0) {
		e.type = EV_PSC_MSR;
		if (n != 3) {
			r = perr(p, "usage: psc-msr private|shared GPA [expect=...]");
			goto fail;
		}
		r = parse_state_gpa(p, tok, &e);
		if (r < 0)
			goto fail;
		e.npages = 1;
	} else if (strcmp(tok[0], "psc-desc") == 0) {
		e.type = EV_PSC_DESC;
		r = parse_psc_desc(p, tok, n, &e);
		if (r < 0)
			goto fail;
	} else if (strcmp(tok[0], "fault") == 0) {
		e.type = EV_FAULT;
		if (n != 4) {
			r = perr(p, "usage: fault private|shared GPA SIZE");
			goto fail;
		}
		r = parse_state_gpa(p, tok, &e);
		if (r < 0)
			goto fail;
		if (parse_uint(tok[3], UINT64_MAX, &v) < 0 || v == 0 || (v & (SIM_PAGE_SIZE - 1)) ||
		    v > (1ull << 30)) {
			r = perr(p, "SIZE must be a non-zero multiple of 4096 up to 1 GiB");
			goto fail;
		}
		e.npages = v / SIM_PAGE_SIZE;
	} else if (strcmp(tok[0], "certs") == 0) {
		e.type = EV_CERTS;
		if (n != 3) {
			r = perr(p, "usage: certs GPA NPAGES [expect=ok|enospc:N|eagain|error]");
			goto fail;
		}
		r = parse_gpa(p, tok[1], &e.gpa);
		if (r < 0)
			goto fail;
		if (parse_uint(tok[2], UINT64_MAX, &v) < 0 || v == 0 || v > 4096) {
			r = perr(p, "NPAGES must be 1..4096");
			goto fail;
		}
		e.npages = v;
	} else if (strcmp(tok[0], "report") == 0) {
		e.type = EV_REPORT;
		if (n > 2) {
			r = perr(p, "usage: report [REPORT_DATA_HEX]");
			goto fail;
		}
		if (n == 2) {
			uint8_t *b;
			size_t len;

			r = parse_hex_arg(p, tok[1], &b, &len,
					  "REPORT_DATA must be up to 64 bytes of hex");
			if (r < 0)
				goto fail;
			if (len > sizeof(e.report_data)) {
				free(b);
				r = perr(p, "REPORT_DATA must be up to 64 bytes of hex");
				goto fail;
			}
			memcpy(e.report_data, b, len);
			free(b);
		}
	} else if (strcmp(tok[0], "write-shared") == 0 || strcmp(tok[0], "expect-shared") == 0) {
		e.type = tok[0][0] == 'w' ? EV_WRITE_SHARED : EV_EXPECT_SHARED;
		if (n != 3) {
			r = perr(p, "usage: %s GPA HEXBYTES", tok[0]);
			goto fail;
		}
		if (parse_uint(tok[1], UINT64_MAX, &e.gpa) < 0) {
			r = perr(p, "bad GPA '%s'", tok[1]);
			goto fail;
		}
		r = parse_hex_arg(p, tok[2], &e.bytes, &e.nbytes,
				  "HEXBYTES must be 1..4096 bytes of hex digits");
		if (r < 0)
			goto fail;
	} else if (strcmp(tok[0], "expect-private") == 0 ||
		   strcmp(tok[0], "expect-shared-state") == 0 ||
		   strcmp(tok[0], "expect-shared-view-unused") == 0) {
		e.type = strcmp(tok[0], "expect-private") == 0 ? EV_EXPECT_PRIVATE
			 : strcmp(tok[0], "expect-shared-state") == 0
				 ? EV_EXPECT_SHARED_STATE
				 : EV_EXPECT_SHARED_VIEW_UNUSED;
		if (n < 2 || n > 3) {
			r = perr(p, "usage: %s GPA [NPAGES]", tok[0]);
			goto fail;
		}
		r = parse_gpa(p, tok[1], &e.gpa);
		if (r < 0)
			goto fail;
		e.npages = 1;
		if (n == 3 && (parse_uint(tok[2], UINT64_MAX, &e.npages) < 0 || !e.npages ||
			       e.npages > (1ull << 30))) {
			r = perr(p, "bad NPAGES '%s'", tok[2]);
			goto fail;
		}
	} else if (strcmp(tok[0], "terminate") == 0 || strcmp(tok[0], "terminate-ghcb") == 0) {
		uint64_t set, code;

		e.type = EV_TERMINATE;
		e.via_ghcb = tok[0][9] == '-';
		if (n != 3 || parse_uint(tok[1], UINT64_MAX, &set) < 0 || set > 0xf ||
		    parse_uint(tok[2], UINT64_MAX, &code) < 0 || code > 0xff) {
			r = perr(p, "usage: %s SET(0..15) CODE(0..255)", tok[0]);
			goto fail;
		}
		e.set = (uint32_t)set;
		e.code = (uint32_t)code;
	} else if (strcmp(tok[0], "shutdown") == 0 || strcmp(tok[0], "wait-power-button") == 0 ||
		   strcmp(tok[0], "acpi-poweroff") == 0 || strcmp(tok[0], "halt") == 0) {
		e.type = tok[0][0] == 's'   ? EV_SHUTDOWN
			 : tok[0][0] == 'w' ? EV_WAIT_POWER_BUTTON
			 : tok[0][0] == 'a' ? EV_ACPI_POWEROFF
					    : EV_HALT;
		if (n != 1) {
			r = perr(p, "%s takes no arguments", tok[0]);
			goto fail;
		}
	} else {
		r = perr(p, "unknown command '%s'", tok[0]);
		goto fail;
	}
	if (had_expect && e.type != EV_PSC && e.type != EV_PSC_MSR && e.type != EV_PSC_DESC &&
	    e.type != EV_CERTS) {
		r = perr(p, "'%s' takes no expect=", tok[0]);
		goto fail;
	}
add:
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 16;
		struct ev *ev = realloc(s->ev, cap * sizeof(*ev));

		if (!ev) {
			r = -ENOMEM;
			goto fail;
		}
		s->ev = ev;
		s->cap = cap;
	}
	s->ev[s->n++] = e;
	return 0;
fail:
	free(e.text);
	free(e.bytes);
	free(e.entries);
	return r;
}

int sim_script_parse(const char *text, const char *name, struct sim_script **ret, struct diag *d)
{
	struct parser p = { .name = name, .d = d };
	const char *line = text;
	char buf[4096 + 64];
	int r = 0;

	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		return -ENOMEM;
	snprintf(p.s->name, sizeof(p.s->name), "%s", name);
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		p.line++;
		if (len >= sizeof(buf)) {
			r = perr(&p, "line too long");
			break;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (len && buf[len - 1] == '\r')
			buf[len - 1] = '\0';
		r = parse_line(&p, buf);
		if (r < 0)
			break;
		line += len + (nl ? 1 : 0);
	}
	if (r < 0) {
		sim_script_free(p.s);
		return r;
	}
	*ret = p.s;
	return 0;
}

/* Far more than any script a test writes (the largest in tree is a few KiB). */
#define SIM_SCRIPT_MAX_BYTES (16ull << 20)

int sim_script_load(const char *path, struct sim_script **ret, struct diag *d)
{
	struct file_map f;
	char *text;
	int r;

	r = file_map_open(path, "guest script", SIM_SCRIPT_MAX_BYTES, &f, d);
	if (r < 0)
		return r;
	size_t size = f.size;

	text = malloc(size + 1);
	if (!text) {
		file_map_close(&f);
		return -ENOMEM;
	}
	if (size)
		memcpy(text, f.data, size);
	text[size] = '\0';
	file_map_close(&f);
	if (strlen(text) != size) {
		free(text);
		return diag_fail(d, -EINVAL, "guest script '%s' contains a NUL byte", path);
	}
	r = sim_script_parse(text, path, ret, d);
	free(text);
	return r;
}

/* The default script (docs/sim-guest.md "Default script"): GPAs in [32 MiB, 48 MiB),
 * inside any RAM of 64 MiB or more. */
static const char default_script[] =
	"print sim-guest: booting (simulated SEV-SNP guest, no confidentiality)\n"
	"psc shared 0x2000000 4 4k\n"
	"expect-shared-state 0x2000000 4\n"
	"write-shared 0x2000000 736e70766d6d2d73696d\n"
	"psc shared 0x2200000 1 2m\n"
	"expect-shared-state 0x2200000 512\n"
	"psc private 0x2200000 1 2m\n"
	"expect-private 0x2200000 512\n"
	"psc-msr shared 0x2400000\n"
	"psc-msr private 0x2400000\n"
	"fault shared 0x2401000 0x1000\n"
	"fault private 0x2401000 0x1000\n"
	"expect-shared 0x2000000 736e70766d6d2d73696d\n"
	"psc private 0x2000000 4 4k\n"
	"expect-private 0x2000000 4\n"
	"report\n"
	"print sim-guest: all checks passed\n"
	"shutdown\n";

int sim_script_default(struct sim_script **ret, struct diag *d)
{
	int r = sim_script_parse(default_script, "<default script>", ret, d);

	if (r == 0)
		(*ret)->is_default = true;
	return r;
}

/* ---- player ---- */

/* GHCB MSR protocol values (arch/x86/include/asm/sev-common.h GHCB_MSR_*; GHCB 56421). */
#define GHCB_MSR_PSC_RESP	 0x015
#define GHCB_TERM(set, code)	 GHCB_MSR_TERM(set, code)
/* SW_EXITCODE of the GHCB protocol's Termination Request (uapi asm/svm.h). */
#define SVM_VMGEXIT_TERM_REQUEST 0x80000016ull
/* SW_EXITINFO2 for PSC (asm/sev-common.h VMGEXIT_PSC_ERROR_*). */
#define PSC_ERROR_INVALID_HDR	 ((1ull << 32) | 1)
#define PSC_ERROR_INVALID_ENTRY	 ((1ull << 32) | 2)
#define GHCB_SHARED_BUFFER	 0x800
#define SERIAL_PORT		 0x3f8
#define SERIAL_CHUNK		 256
#define PSC_LOOP_MAX		 1024

struct psc_hdr {
	uint16_t cur_entry;
	uint16_t end_entry;
	uint32_t reserved;
} __attribute__((packed));

#define PSC_ENTRY(gfn, op, huge, cur)                                       \
	(((uint64_t)(cur)&0xfff) | ((gfn) << 12) | ((uint64_t)(op) << 52) | \
	 ((uint64_t)(huge) << 56))

/*
 * ACPI fixed hardware as snpvmm's FADT places it (PM1a_EVT_BLK 0x600: status, then enable;
 * PM1a_CNT_BLK 0x604; acpi.c). The scripted guest uses the ports it knows instead of
 * parsing the FADT, as a real guest would. Bits: ACPI 6.5 §4.8.4 (PWRBTN_STS/EN bit 8,
 * SLP_TYP 12:10, SLP_EN 13); the S5 SLP_TYP is the DSDT's \_S5 (5).
 */
#define PM1A_STS_PORT	  0x600
#define PM1A_EN_PORT	  0x602
#define PM1A_CNT_PORT	  0x604
#define PM1_PWRBTN	  (1u << 8)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN	  (1u << 13)
#define S5_SLP_TYP	  5
/* start_event(): the guest halted (HLT, interrupts on) and waits for an interrupt. */
#define START_HALTED	  4

static void exit_pio16(struct kvm_run *run, uint16_t port, bool out, uint16_t val)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	run->io.size = 2;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = SIM_PIO_OFFSET;
	/* For IN, what an unanswered read would leave (the VMM overwrites it). */
	memcpy((char *)run + SIM_PIO_OFFSET, &val, sizeof(val));
}

static uint16_t pio16_reply(const struct kvm_run *run)
{
	uint16_t v;

	memcpy(&v, (const char *)run + run->io.data_offset, sizeof(v));
	return v;
}

/*
 * wait-power-button: what Linux does with the fixed power button of the FADT.
 * drivers/acpi/button.c acpi_button_probe() installs a fixed-event handler, and ACPICA's
 * acpi_install_fixed_event_handler() -> acpi_enable_event() sets PWRBTN_EN by a
 * read-modify-write of PM1_EN (steps 0, 1). The guest then idles (HLT). On the SCI,
 * evevent.c acpi_ev_fixed_event_detect() reads PM1_STS and PM1_EN (3, 4), and
 * acpi_ev_fixed_event_dispatch() clears PWRBTN_STS by writing the one bit (status bits
 * are write-1-to-clear; 5) before button.c sends KEY_POWER to user space (systemd-logind,
 * acpid), which powers off: the next script line, usually acpi-poweroff. The level of
 * the SCI is checked too: high when the guest wakes, low once the status is cleared.
 */
static int start_wait_power_button(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;

	switch (s->sub) {
	case 0:
		exit_pio16(run, PM1A_EN_PORT, false, 0xffff);
		return 1;
	case 1:
		exit_pio16(run, PM1A_EN_PORT, true, (uint16_t)(s->acpi_val | PM1_PWRBTN));
		return 1;
	case 2:
		if (!(sim->irq_levels & (1u << SIM_SCI_IRQ)))
			return START_HALTED;
		s->sub = 3;
		exit_pio16(run, PM1A_STS_PORT, false, 0xffff);
		return 1;
	case 4:
		exit_pio16(run, PM1A_EN_PORT, false, 0xffff);
		return 1;
	case 5:
		exit_pio16(run, PM1A_STS_PORT, true, PM1_PWRBTN);
		return 1;
	default:
		if (sim->irq_levels & (1u << SIM_SCI_IRQ)) {
			sim_guest_set_failure(
				sim,
				"line %u: the SCI (IRQ %u) stays raised after the guest "
				"cleared PWRBTN_STS",
				e->line, SIM_SCI_IRQ);
			return -1;
		}
		return 0;
	}
}

static int check_wait_power_button(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;
	uint16_t v = pio16_reply(run);

	if (s->sub == 0)
		s->acpi_val = v;
	if (s->sub == 3 && !(v & PM1_PWRBTN)) {
		sim_guest_set_failure(
			sim, "line %u: an SCI, but PWRBTN_STS is clear (PM1_STS 0x%x)", e->line, v);
		return -1;
	}
	if (s->sub == 4 && !(v & PM1_PWRBTN)) {
		sim_guest_set_failure(sim, "line %u: PWRBTN_EN did not stick (PM1_EN 0x%x)",
				      e->line, v);
		return -1;
	}
	s->sub++;
	return 0;
}

/*
 * acpi-poweroff: Linux's kernel_power_off() -> acpi_power_off() ->
 * acpi_enter_sleep_state(ACPI_STATE_S5) -> hwsleep.c acpi_hw_legacy_sleep(): PM1_CNT is
 * read, SLP_TYP and SLP_EN cleared and SLP_TYP set to \_S5's value, written, then written
 * again with SLP_EN. The machine is off from then on: a VMM that runs the guest on fails
 * the script.
 */
static int start_acpi_poweroff(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;
	uint16_t cnt = (uint16_t)((s->acpi_val & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
				  (S5_SLP_TYP << PM1_SLP_TYP_SHIFT));

	switch (s->sub) {
	case 0:
		exit_pio16(run, PM1A_CNT_PORT, false, 0xffff);
		return 1;
	case 1:
		exit_pio16(run, PM1A_CNT_PORT, true, cnt);
		return 1;
	case 2:
		exit_pio16(run, PM1A_CNT_PORT, true, (uint16_t)(cnt | PM1_SLP_EN));
		if (sim->outcome == SIM_OUTCOME_RUNNING)
			sim->outcome = SIM_OUTCOME_PASSED;
		return 1;
	default:
		/* KVM_RUN may complete the OUT (the reply) and then honour immediate_exit
		 * (sim_guest_complete()); only running the guest on is wrong. */
		sim_guest_set_failure(
			sim, "line %u: the VMM ran the guest again after it entered S5", e->line);
		return -1;
	}
}

static int check_acpi_poweroff(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;

	if (s->sub == 0)
		s->acpi_val = pio16_reply(run);
	s->sub++;
	return 0;
}

static struct ev *cur_ev(struct sim *sim)
{
	struct sim_script *s = sim->script;

	return s->pc < s->n ? &s->ev[s->pc] : NULL;
}

void sim_guest_set_failure(struct sim *sim, const char *fmt, ...)
{
	struct sim_script *s = sim->script;
	char msg[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sim->outcome != SIM_OUTCOME_FAILED) {
		sim->outcome = SIM_OUTCOME_FAILED;
		snprintf(sim->failure, sizeof(sim->failure), "%s", msg);
	}
	if (s) {
		int n = snprintf(s->out, sizeof(s->out), "sim-guest: FAILED: %s\n", msg);

		s->out_len =
			n < 0 ? 0 : ((size_t)n < sizeof(s->out) ? (size_t)n : sizeof(s->out) - 1);
		s->out_off = 0;
		s->st = P_FAILING;
		s->term_data = GHCB_TERM(SIM_TERM_REASON_SET, SIM_TERM_EXPECTATION_FAILED);
	}
}

static void exit_serial(struct kvm_run *run, const char *bytes, size_t n)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = SERIAL_PORT;
	run->io.count = (uint32_t)n;
	run->io.data_offset = SIM_PIO_OFFSET;
	memcpy((char *)run + SIM_PIO_OFFSET, bytes, n);
}

static void exit_system_event(struct kvm_run *run, uint32_t type, uint64_t data)
{
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.ndata = type == KVM_SYSTEM_EVENT_SEV_TERM ? 1 : 0;
	run->system_event.data[0] = data;
}

static void finish(struct sim *sim, struct kvm_run *run)
{
	struct sim_script *s = sim->script;

	if (s->final_shutdown)
		exit_system_event(run, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
	else
		/* sev_handle_vmgexit_msr_protocol(GHCB_MSR_TERM_REQ): SEV_TERM, ndata 1,
		 * data[0] = the GHCB MSR value (sev.c, Linux 6.11; api.rst
		 * KVM_SYSTEM_EVENT_SEV_TERM); for terminate-ghcb the GHCB's GPA. */
		exit_system_event(run, KVM_SYSTEM_EVENT_SEV_TERM, s->term_data);
	/* An early copy, in case the VMM never destroys the backend; a write error
	 * shows again, and is reported, at the final write in sim_destroy(). */
	if (s->st != P_DONE)
		(void)sim_report_write(sim);
	s->st = P_DONE;
}

static bool snp_vm(struct sim *sim)
{
	return sim->vm_type == KVM_X86_SNP_VM;
}

static const char *state_name(bool priv)
{
	return priv ? "private" : "shared";
}

/* Checks the attribute the VMM should have set for [gpa, gpa + npages pages). */
static bool range_is(struct sim *sim, uint64_t gpa, uint64_t npages, bool priv)
{
	return sim_memory_range_is(&sim->mem, gpa / SIM_PAGE_SIZE, gpa / SIM_PAGE_SIZE + npages,
				   priv);
}

/* The upstream MAP_GPA_RANGE exit (sev.c snp_begin_psc_msr() / snp_begin_psc(), Linux 6.11). */
static void exit_map_gpa_range(struct kvm_run *run, uint64_t gpa, uint64_t npages, bool priv,
			       bool huge)
{
	struct kvm_exit_hypercall *hc = kvm_run_exit_data(run);

	run->exit_reason = KVM_EXIT_HYPERCALL;
	hc->nr = KVM_HC_MAP_GPA_RANGE;
	hc->args[0] = gpa;
	hc->args[1] = npages;
	hc->args[2] = (priv ? KVM_MAP_GPA_RANGE_ENCRYPTED : KVM_MAP_GPA_RANGE_DECRYPTED) |
		      (huge ? KVM_MAP_GPA_RANGE_PAGE_SZ_2M : KVM_MAP_GPA_RANGE_PAGE_SZ_4K);
	/* "hypercall.ret is zeroed on exit" (QEMU <= 9.2 assumed it). */
	hc->ret = 0;
}

static void exit_v12_psc_msr(struct kvm_run *run, uint64_t gpa, bool priv)
{
	struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);

	run->exit_reason = KVM_EXIT_VMGEXIT_V12;
	memset(vg, 0, sizeof(*vg));
	vg->type = KVM_USER_VMGEXIT_PSC_MSR;
	vg->psc_msr.gpa = gpa;
	vg->psc_msr.op =
		priv ? KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE : KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED;
	vg->psc_msr.ret = 0;
}

/* How the guest saw a reply, and whether that matches the script's expectation. */
static bool expectation_met(enum ev_expect exp, bool ok, uint64_t ret)
{
	switch (exp) {
	case EXP_OK:
		return ok;
	case EXP_EINVAL:
		return ret == EINVAL;
	case EXP_EAGAIN:
		return ret == EAGAIN;
	case EXP_ERROR:
		return !ok;
	case EXP_INVALID_HDR:
		return ret == PSC_ERROR_INVALID_HDR;
	case EXP_INVALID_ENTRY:
		return ret == PSC_ERROR_INVALID_ENTRY;
	case EXP_ENOSPC:
		return ret == ENOSPC;
	}
	return false;
}

static const char *const expect_names[] = {
	[EXP_OK] = "ok",
	[EXP_EINVAL] = "einval",
	[EXP_EAGAIN] = "eagain",
	[EXP_ENOSPC] = "enospc",
	[EXP_ERROR] = "error",
	[EXP_INVALID_HDR] = "invalid-hdr",
	[EXP_INVALID_ENTRY] = "invalid-entry",
};

/* ---- v12 GHCB descriptor ---- */

static int write_desc(struct sim *sim, const struct ev *e)
{
	uint64_t gpa = sim->profile.ghcb_gpa + GHCB_SHARED_BUFFER;
	size_t len = sizeof(struct psc_hdr) + PSC_MAX_ENTRIES * sizeof(uint64_t);
	uint8_t *hva = sim_memory_shared_hva(&sim->mem, gpa, len);
	struct psc_hdr hdr = {
		.cur_entry = (uint16_t)(e->cur >= 0 ? e->cur : 0),
		.end_entry = (uint16_t)(e->end >= 0 ? e->end : (int)e->nr_entries - 1),
		.reserved = e->reserved,
	};
	unsigned int i;

	if (!hva)
		return -EFAULT;
	memset(hva, 0, len);
	memcpy(hva, &hdr, sizeof(hdr));
	for (i = 0; i < e->nr_entries; i++) {
		const struct desc_entry *de = &e->entries[i];
		uint64_t v = PSC_ENTRY(de->gfn, de->op, de->huge, de->cur_page);

		memcpy(hva + sizeof(hdr) + i * sizeof(v), &v, sizeof(v));
	}
	return 0;
}

static void desc_from_psc(const struct ev *src, struct ev *dst, struct desc_entry *entries)
{
	uint64_t step = src->huge ? 512 : 1, i;

	memset(dst, 0, sizeof(*dst));
	dst->entries = entries;
	dst->nr_entries = (unsigned int)(src->npages / step);
	dst->cur = -1;
	dst->end = -1;
	dst->expect = src->expect == EXP_OK ? EXP_OK : EXP_ERROR;
	for (i = 0; i < dst->nr_entries; i++) {
		entries[i].gfn = src->gpa / SIM_PAGE_SIZE + i * step;
		entries[i].op = src->to_private ? 1 : 2;
		entries[i].huge = src->huge;
		entries[i].cur_page = 0;
	}
}

static void exit_v12_psc(struct sim *sim, struct kvm_run *run)
{
	struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);

	run->exit_reason = KVM_EXIT_VMGEXIT_V12;
	memset(vg, 0, sizeof(*vg));
	vg->type = KVM_USER_VMGEXIT_PSC;
	vg->psc.shared_gpa = sim->profile.ghcb_gpa + GHCB_SHARED_BUFFER;
	vg->psc.ret = 0;
}

/* After a PSC descriptor round trip: 1 done, 0 issue again, -1 failed (message set). */
static int check_desc_reply(struct sim *sim, struct kvm_run *run, const struct ev *e,
			    const char *what)
{
	struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);
	uint64_t gpa = sim->profile.ghcb_gpa + GHCB_SHARED_BUFFER;
	uint8_t *hva = sim_memory_shared_hva(&sim->mem, gpa, 8 + PSC_MAX_ENTRIES * 8);
	struct sim_script *s = sim->script;
	struct psc_hdr hdr;
	uint64_t ret = vg->psc.ret;
	unsigned int i, end;

	if (!hva) {
		sim_guest_set_failure(sim, "%s: the GHCB at 0x%llx left guest memory", what,
				      (unsigned long long)sim->profile.ghcb_gpa);
		return -1;
	}
	memcpy(&hdr, hva, sizeof(hdr));
	/* Linux vmgexit_psc(): any non-zero SW_EXITINFO2 is a failure. */
	if (ret) {
		if (expectation_met(e->expect, false, ret))
			return 1;
		sim_guest_set_failure(sim, "%s: VMM answered SW_EXITINFO2=0x%llx, expected %s",
				      what, (unsigned long long)ret, expect_names[e->expect]);
		return -1;
	}
	/* Linux vmgexit_psc() fails if the HV moved backwards: end_entry grew, cur_entry
	 * shrank, or hdr.reserved is set (arch/x86/coco/sev/core.c, Linux 6.11). */
	if (hdr.end_entry != (uint16_t)(e->end >= 0 ? e->end : (int)e->nr_entries - 1)) {
		sim_guest_set_failure(sim, "%s: VMM changed end_entry to %u", what, hdr.end_entry);
		return -1;
	}
	if (e->expect != EXP_OK) {
		/* The guest got success where the script expected an error. */
		if (hdr.cur_entry <= hdr.end_entry && ++s->loops < PSC_LOOP_MAX)
			return 0;
		sim_guest_set_failure(sim, "%s: VMM reported success, expected %s", what,
				      expect_names[e->expect]);
		return -1;
	}
	if (hdr.reserved) {
		sim_guest_set_failure(sim, "%s: the descriptor header's reserved field is 0x%x",
				      what, hdr.reserved);
		return -1;
	}
	if (hdr.cur_entry <= hdr.end_entry) {
		/* Linux loops "while (hdr.cur_entry <= hdr.end_entry)"; a hypervisor that
		 * does not advance cur_entry would hang it. */
		if ((int)hdr.cur_entry <= s->desc_cur || ++s->loops > PSC_LOOP_MAX) {
			sim_guest_set_failure(sim, "%s: no progress (cur_entry %u, end_entry %u)",
					      what, hdr.cur_entry, hdr.end_entry);
			return -1;
		}
		s->desc_cur = hdr.cur_entry;
		return 0;
	}
	/* Done: every page-state entry's range must now have its new attribute, and
	 * each entry's cur_page must say so (__snp_complete_one_psc). */
	end = e->end >= 0 ? (unsigned int)e->end : e->nr_entries - 1;
	for (i = (unsigned int)(e->cur >= 0 ? e->cur : 0); i <= end && i < e->nr_entries; i++) {
		const struct desc_entry *de = &e->entries[i];
		uint64_t npages = de->huge ? 512 : 1, v;

		memcpy(&v, hva + 8 + i * 8, sizeof(v));
		if (de->op != 1 && de->op != 2)
			continue;
		if ((v & 0xfff) != npages) {
			sim_guest_set_failure(sim, "%s: entry %u cur_page is %llu, expected %llu",
					      what, i, (unsigned long long)(v & 0xfff),
					      (unsigned long long)npages);
			return -1;
		}
		if (!range_is(sim, (de->gfn + de->cur_page) * SIM_PAGE_SIZE, npages - de->cur_page,
			      de->op == 1)) {
			sim_guest_set_failure(sim, "%s: entry %u (gpa 0x%llx) is not %s", what, i,
					      (unsigned long long)(de->gfn * SIM_PAGE_SIZE),
					      state_name(de->op == 1));
			return -1;
		}
	}
	return 1;
}

/* ---- event execution ---- */

/* Returns 1 when an exit was prepared (0 from KVM_RUN), 2 for the memory-fault exit
 * (-EFAULT), 0 when the event completed without an exit, -1 on a failure. */
static int start_event(struct sim *sim, struct kvm_run *run, struct ev *e);

/* Linux's early_setup_ghcb(): the GHCB page is made shared with an MSR-protocol PSC before
 * it is used (arch/x86/boot/compressed/sev.c: set_page_decrypted() ->
 * snp_set_page_shared(), Linux 6.11). Returns 0 when it is shared, 1 when the exit that
 * makes it shared is prepared, -1 on a failure. */
static int ghcb_make_shared(struct sim *sim, struct kvm_run *run)
{
	struct sim_script *s = sim->script;
	uint64_t ghcb = sim->profile.ghcb_gpa;

	if (s->ghcb_ready)
		return 0;
	if (!sim_memory_shared_hva(&sim->mem, ghcb, SIM_PAGE_SIZE)) {
		sim_guest_set_failure(sim, "GHCB GPA 0x%llx is not in guest RAM",
				      (unsigned long long)ghcb);
		return -1;
	}
	if (!range_is(sim, ghcb, 1, false)) {
		if (sim->profile.abi == SIM_ABI_V12) {
			exit_v12_psc_msr(run, ghcb, false);
		} else if (sim->exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE)) {
			exit_map_gpa_range(run, ghcb, 1, false, false);
		} else {
			sim_guest_set_failure(sim, "making the GHCB page shared was refused "
						   "in-kernel: no MAP_GPA_RANGE exit");
			return -1;
		}
		s->ghcb_pending = true;
		return 1;
	}
	s->ghcb_ready = true;
	return 0;
}

static int start_psc_v12_desc(struct sim *sim, struct kvm_run *run, const struct ev *e)
{
	struct sim_script *s = sim->script;
	int r = ghcb_make_shared(sim, run);

	if (r != 0)
		return r;
	if (write_desc(sim, e) < 0) {
		sim_guest_set_failure(sim, "cannot write the PSC descriptor into the GHCB");
		return -1;
	}
	s->desc_cur = e->cur >= 0 ? e->cur : 0;
	s->desc_cur--; /* any advance counts as progress on the first reply */
	exit_v12_psc(sim, run);
	return 1;
}

/*
 * The GHCB protocol's Termination Request (SW_EXITCODE 0x8000_0016, SW_EXITINFO1 = reason
 * set | code << 4; GHCB spec 56421 "Termination Request"), as the guest writes it and as
 * KVM handles it: sev_handle_vmgexit() answers every NAE event with svm_vmgexit_success(svm,
 * 0) before it looks at the exit code (earlier ghcb_set_sw_exit_info_1(ghcb,
 * GHCB_HV_RESP_NO_ACTION) and ghcb_set_sw_exit_info_2(ghcb, 0); v12 20/29 and 6.11 .. 7.0),
 * which zeroes SW_EXITINFO1/2 in the guest's GHCB page, then exits with SEV_TERM, ndata 1,
 * data[0] = the GHCB's GPA. The reason only reaches the host's kernel log ("SEV-ES guest
 * requested termination: reason %#llx info %#llx").
 */
static int start_terminate_ghcb(struct sim *sim, struct kvm_run *run, const struct ev *e)
{
	struct sim_script *s = sim->script;
	uint64_t code = SVM_VMGEXIT_TERM_REQUEST, info1 = e->set | (uint64_t)e->code << 4, zero = 0;
	uint8_t *ghcb;
	int r = ghcb_make_shared(sim, run);

	if (r != 0)
		return r;
	ghcb = sim_memory_shared_hva(&sim->mem, sim->profile.ghcb_gpa, SIM_PAGE_SIZE);
	/* The guest's request... */
	memcpy(ghcb + GHCB_SW_EXIT_CODE_OFFSET, &code, sizeof(code));
	memcpy(ghcb + GHCB_SW_EXITINFO1_OFFSET, &info1, sizeof(info1));
	memcpy(ghcb + GHCB_SW_EXITINFO2_OFFSET, &zero, sizeof(zero));
	/* ... and KVM's svm_vmgexit_success(svm, 0) on it. */
	memcpy(ghcb + GHCB_SW_EXITINFO1_OFFSET, &zero, sizeof(zero));
	memcpy(ghcb + GHCB_SW_EXITINFO2_OFFSET, &zero, sizeof(zero));
	s->term_data = sim->profile.ghcb_gpa;
	s->final_shutdown = false;
	sim->outcome = SIM_OUTCOME_TERMINATED;
	snprintf(sim->failure, sizeof(sim->failure), "terminated through the GHCB: set %u code %u",
		 e->set, e->code);
	finish(sim, run);
	return 1;
}

/* The guest's MSG_REPORT_REQ, answered by the simulated PSP in-kernel (no exit), then
 * the report as the guest prints it on its console (e->text, printed as by `print`). */
static int do_report(struct sim *sim, struct ev *e)
{
	struct sim_attestation *a = &sim->reports[sim->nr_reports];
	struct diag d = { "" };
	int r;

	if (sim->nr_reports == SIM_MAX_REPORTS) {
		sim_guest_set_failure(sim, "line %u: more than %d attestation reports", e->line,
				      SIM_MAX_REPORTS);
		return -1;
	}
	memcpy(a->report_data, e->report_data, sizeof(e->report_data));
	free(e->text);
	e->text = malloc(SNP_REPORT_FRAME_SIZE);
	r = e->text ? sim_attest_report(sim, e->report_data, 0, &a->report, &d) : -ENOMEM;
	if (r < 0) {
		/* The running guest's request is always valid: the host itself failed answering
		 * it in-kernel (no memory, OpenSSL inside the simulated PSP). KVM_RUN fails with
		 * that error, as it does when sev.c snp_handle_guest_req() cannot issue the PSP
		 * command (Linux 6.11); the guest sees nothing. */
		sim->script->host_error = r;
		return -1;
	}
	/* The print path adds the final newline itself. */
	e->text[snp_report_frame((const uint8_t *)&a->report, e->text) - 1] = '\0';
	sim->nr_reports++;
	return 0;
}

static int do_certs_in_kernel(struct sim *sim, const struct ev *e)
{
	uint8_t *hva = sim_memory_shared_hva(&sim->mem, e->gpa, 24);

	/* Without KVM_SEV_SNP_ENABLE_REQ_CERTS "KVM clears the first 24 bytes (an empty
	 * certificate table) and handles the request in-kernel" (sev.c
	 * snp_handle_ext_guest_req(), kvm-x86 2026). */
	if (!hva || !range_is(sim, e->gpa, e->npages, false)) {
		sim_guest_set_failure(sim,
				      "line %u: certificate buffer 0x%llx is not shared memory",
				      e->line, (unsigned long long)e->gpa);
		return -1;
	}
	memset(hva, 0, 24);
	if (e->expect != EXP_OK) {
		sim_guest_set_failure(sim,
				      "line %u: certificate request succeeded in-kernel, "
				      "expected %s (is KVM_SEV_SNP_ENABLE_REQ_CERTS enabled?)",
				      e->line, expect_names[e->expect]);
		return -1;
	}
	return 0;
}

/* The VMM's shared view (the memslot's userspace_addr) of the range must hold no memory:
 * the VMM never wrote or read it. mincore(2) reports the pages the mapping has. */
static int expect_shared_view_unused(struct sim *sim, const struct ev *e)
{
	uint64_t len = e->npages * SIM_PAGE_SIZE, i;
	uint8_t *hva = sim_memory_shared_hva(&sim->mem, e->gpa, len);
	unsigned char *vec;
	int r;

	if (!hva) {
		sim_guest_set_failure(sim, "line %u: 0x%llx (+%llu pages) is not guest RAM",
				      e->line, (unsigned long long)e->gpa,
				      (unsigned long long)e->npages);
		return -1;
	}
	vec = malloc(e->npages);
	r = vec ? mincore(hva, len, vec) : -1;
	for (i = 0; r == 0 && i < e->npages; i++)
		if (vec[i] & 1)
			break;
	free(vec);
	if (r < 0 || i < e->npages) {
		sim_guest_set_failure(sim,
				      "line %u: the VMM's shared view of 0x%llx holds memory: it "
				      "wrote or read there",
				      e->line, (unsigned long long)(e->gpa + i * SIM_PAGE_SIZE));
		return -1;
	}
	return 0;
}

static int start_event(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;
	uint8_t *hva;

	if (!snp_vm(sim) && e->type != EV_PRINT && e->type != EV_SHUTDOWN &&
	    (e->type != EV_TERMINATE || e->via_ghcb) && e->type != EV_WRITE_SHARED &&
	    e->type != EV_EXPECT_SHARED && e->type != EV_WAIT_POWER_BUTTON &&
	    e->type != EV_ACPI_POWEROFF && e->type != EV_HALT) {
		sim_guest_set_failure(sim, "line %u needs an SEV-SNP VM", e->line);
		return -1;
	}
	switch (e->type) {
	case EV_REPORT:
		if (s->sub == 0 && do_report(sim, e) < 0)
			return -1;
		__attribute__((fallthrough));
	case EV_PRINT: {
		char buf[SERIAL_CHUNK];
		size_t len = strlen(e->text) + 1, n;

		if (s->sub >= len)
			return 0;
		n = len - s->sub > SERIAL_CHUNK ? SERIAL_CHUNK : len - s->sub;
		memcpy(buf, e->text + s->sub, n);
		if (s->sub + n == len)
			buf[n - 1] = '\n';
		s->sub += n;
		exit_serial(run, buf, n);
		return 1;
	}
	case EV_PSC:
	case EV_PSC_MSR:
		/* A hostile guest can name any GFN that fits the protocol's field: KVM's PSC
		 * paths forward it without a memslot check (snp_begin_psc_msr, snp_begin_psc),
		 * so a script that expects an error may send one outside RAM. */
		if (e->expect == EXP_OK &&
		    !sim_memory_shared_hva(&sim->mem, e->gpa, e->npages * SIM_PAGE_SIZE)) {
			sim_guest_set_failure(sim, "line %u: 0x%llx is not guest RAM", e->line,
					      (unsigned long long)e->gpa);
			return -1;
		}
		if (sim->profile.abi == SIM_ABI_V12) {
			if (e->type == EV_PSC_MSR) {
				exit_v12_psc_msr(run, e->gpa, e->to_private);
				return 1;
			}
			{
				struct desc_entry entries[PSC_MAX_ENTRIES];
				struct ev d;

				desc_from_psc(e, &d, entries);
				return start_psc_v12_desc(sim, run, &d);
			}
		}
		/* snp_begin_psc*(): without the MAP_GPA_RANGE user exit the guest gets
		 * GHCB_MSR_PSC_RESP_ERROR / PSC_ERROR_GENERIC in-kernel (sev.c, Linux 6.11). */
		if (!(sim->exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE))) {
			if (e->expect == EXP_ERROR)
				return 0;
			sim_guest_set_failure(sim,
					      "line %u: page-state change refused in-kernel: "
					      "KVM_CAP_EXIT_HYPERCALL(MAP_GPA_RANGE) not enabled",
					      e->line);
			return -1;
		}
		exit_map_gpa_range(run, e->gpa, e->npages, e->to_private, e->huge);
		return 1;
	case EV_PSC_DESC:
		if (sim->profile.abi != SIM_ABI_V12) {
			sim_guest_set_failure(sim,
					      "line %u: psc-desc needs the v12 profile "
					      "(upstream KVM parses descriptors in-kernel)",
					      e->line);
			return -1;
		}
		return start_psc_v12_desc(sim, run, e);
	case EV_FAULT:
		/* One KVM_EXIT_MEMORY_FAULT per page whose attribute differs from the
		 * access (mmu.c kvm_mmu_faultin_pfn() -> kvm_mmu_prepare_memory_fault_exit(),
		 * size = PAGE_SIZE; Linux 6.11). */
		while (s->sub < e->npages) {
			uint64_t gpa = e->gpa + s->sub * SIM_PAGE_SIZE;
			struct kvm_exit_memory_fault *mf = kvm_run_exit_data(run);

			s->sub++;
			if (!sim_memory_slot_of(&sim->mem, gpa / SIM_PAGE_SIZE)) {
				sim_guest_set_failure(sim, "line %u: 0x%llx is not guest RAM",
						      e->line, (unsigned long long)gpa);
				return -1;
			}
			if (range_is(sim, gpa, 1, e->to_private))
				continue;
			run->exit_reason = KVM_EXIT_MEMORY_FAULT;
			mf->flags = e->to_private ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0;
			mf->gpa = gpa;
			mf->size = SIM_PAGE_SIZE;
			s->sub_gpa = gpa;
			return 2;
		}
		return 0;
	case EV_CERTS: {
		struct kvm_exit_snp_req_certs *rc = kvm_run_exit_data(run);

		if (!sim->req_certs)
			return do_certs_in_kernel(sim, e) < 0 ? -1 : 0;
		/* snp_handle_ext_guest_req() -> KVM_EXIT_SNP_REQ_CERTS (43; 42 with the
		 * certs_exit setting, as kvm-x86 had it before the merge), ret 0 on exit. */
		run->exit_reason = sim->profile.rules.certs_exit;
		rc->gpa = e->gpa;
		rc->npages = e->npages;
		rc->ret = 0;
		return 1;
	}
	case EV_WRITE_SHARED:
	case EV_EXPECT_SHARED:
		hva = sim_memory_shared_hva(&sim->mem, e->gpa, e->nbytes);
		if (!hva) {
			sim_guest_set_failure(sim, "line %u: 0x%llx+%zu is not guest RAM", e->line,
					      (unsigned long long)e->gpa, e->nbytes);
			return -1;
		}
		if (snp_vm(sim) &&
		    !sim_memory_range_is(&sim->mem, e->gpa / SIM_PAGE_SIZE,
					 (e->gpa + e->nbytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE,
					 false)) {
			sim_guest_set_failure(sim, "line %u: 0x%llx is private, not shared",
					      e->line, (unsigned long long)e->gpa);
			return -1;
		}
		if (e->type == EV_WRITE_SHARED) {
			memcpy(hva, e->bytes, e->nbytes);
		} else if (memcmp(hva, e->bytes, e->nbytes) != 0) {
			sim_guest_set_failure(sim,
					      "line %u: shared memory at 0x%llx was not preserved",
					      e->line, (unsigned long long)e->gpa);
			return -1;
		}
		return 0;
	case EV_EXPECT_PRIVATE:
	case EV_EXPECT_SHARED_STATE: {
		bool priv = e->type == EV_EXPECT_PRIVATE;

		if (!range_is(sim, e->gpa, e->npages, priv)) {
			sim_guest_set_failure(sim, "line %u: 0x%llx (+%llu pages) is not %s",
					      e->line, (unsigned long long)e->gpa,
					      (unsigned long long)e->npages, state_name(priv));
			return -1;
		}
		return 0;
	}
	case EV_EXPECT_SHARED_VIEW_UNUSED:
		return expect_shared_view_unused(sim, e);
	case EV_TERMINATE:
		if (e->via_ghcb)
			return start_terminate_ghcb(sim, run, e);
		s->term_data = GHCB_TERM(e->set, e->code);
		s->final_shutdown = false;
		sim->outcome = SIM_OUTCOME_TERMINATED;
		snprintf(sim->failure, sizeof(sim->failure), "terminated: set %u code %u", e->set,
			 e->code);
		finish(sim, run);
		return 1;
	case EV_SHUTDOWN:
		s->final_shutdown = true;
		if (sim->outcome == SIM_OUTCOME_RUNNING)
			sim->outcome = SIM_OUTCOME_PASSED;
		finish(sim, run);
		return 1;
	case EV_WAIT_POWER_BUTTON:
		return start_wait_power_button(sim, run, e);
	case EV_ACPI_POWEROFF:
		return start_acpi_poweroff(sim, run, e);
	case EV_HALT:
		/* Halted for ever: an interrupt wakes it and it halts again (a guest that
		 * does nothing with the power button). */
		return START_HALTED;
	}
	return -1;
}

static bool valid_map_gpa_range_ret(uint64_t ret)
{
	/* x86.c kvm_is_valid_map_gpa_range_ret() (kvm-x86 2026): 0, EINVAL or EAGAIN. */
	return ret == 0 || ret == EINVAL || ret == EAGAIN;
}

static bool cert_table_valid(const uint8_t *buf, uint64_t len)
{
	uint64_t off;

	/* struct cert_table_entry { guid[16]; u32 offset; u32 length; }, terminated by
	 * an all-zero entry (GHCB 56421 "SNP Extended Guest Request"; sev.c "terminated by
	 * 24-bytes of zeroes"); every blob inside the buffer. */
	for (off = 0; off + 24 <= len; off += 24) {
		uint32_t o, l;
		static const uint8_t zero[24];

		if (memcmp(buf + off, zero, 24) == 0)
			return true;
		memcpy(&o, buf + off + 16, 4);
		memcpy(&l, buf + off + 20, 4);
		if ((uint64_t)o + l > len || o < off + 48)
			return false;
	}
	return false;
}

/* Checks the VMM's reply to the exit in flight: 1 event done, 0 continue the same event,
 * 3 another exit for it is prepared, -1 failed (message set), -2 KVM_RUN itself fails
 * with -EINVAL. */
static int check_reply(struct sim *sim, struct kvm_run *run, struct ev *e)
{
	struct sim_script *s = sim->script;
	char what[48];

	snprintf(what, sizeof(what), "line %u", e->line);
	if (s->ghcb_pending) {
		struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);
		struct kvm_exit_hypercall *hc = kvm_run_exit_data(run);
		uint64_t ret = sim->profile.abi == SIM_ABI_V12 ? vg->psc_msr.ret : hc->ret;

		s->ghcb_pending = false;
		if (sim->profile.abi != SIM_ABI_V12 && !valid_map_gpa_range_ret(ret)) {
			snprintf(sim->failure, sizeof(sim->failure),
				 "%s: VMM replied hypercall.ret=%llu (KVM accepts 0, EINVAL, "
				 "EAGAIN)",
				 what, (unsigned long long)ret);
			sim->outcome = SIM_OUTCOME_FAILED;
			return -2;
		}
		if (ret || !range_is(sim, sim->profile.ghcb_gpa, 1, false)) {
			sim_guest_set_failure(sim,
					      "%s: making the GHCB page shared failed (ret %llu)",
					      what, (unsigned long long)ret);
			return -1;
		}
		s->ghcb_ready = true;
		return 0;
	}
	switch (e->type) {
	case EV_PRINT:
	case EV_REPORT:
		return s->sub >= strlen(e->text) + 1 ? 1 : 0;
	case EV_PSC:
	case EV_PSC_MSR:
		if (sim->profile.abi == SIM_ABI_V12) {
			if (e->type == EV_PSC_MSR) {
				struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);
				/* KVM: GHCB MSR = ((u64)ret << 32) | GHCB_MSR_PSC_RESP. */
				bool ok = vg->psc_msr.ret == 0;

				if (ok && !range_is(sim, e->gpa, 1, e->to_private)) {
					sim_guest_set_failure(
						sim, "%s: VMM answered 0 but 0x%llx is not %s",
						what, (unsigned long long)e->gpa,
						state_name(e->to_private));
					return -1;
				}
				if (!expectation_met(e->expect, ok, vg->psc_msr.ret)) {
					sim_guest_set_failure(
						sim, "%s: PSC MSR response 0x%llx, expected %s",
						what,
						(unsigned long long)((uint64_t)vg->psc_msr.ret
									     << 32 |
								     GHCB_MSR_PSC_RESP),
						expect_names[e->expect]);
					return -1;
				}
				return 1;
			}
			{
				struct desc_entry entries[PSC_MAX_ENTRIES];
				struct ev d;
				int r;

				desc_from_psc(e, &d, entries);
				d.line = e->line;
				r = check_desc_reply(sim, run, &d, what);
				if (r != 0)
					return r;
				/* Re-issue the VMGEXIT on the descriptor as the VMM left it. */
				exit_v12_psc(sim, run);
				return 3;
			}
		} else {
			struct kvm_exit_hypercall *hc = kvm_run_exit_data(run);

			if (!valid_map_gpa_range_ret(hc->ret)) {
				snprintf(sim->failure, sizeof(sim->failure),
					 "%s: VMM replied hypercall.ret=%llu (KVM accepts 0, "
					 "EINVAL, EAGAIN)",
					 what, (unsigned long long)hc->ret);
				sim->outcome = SIM_OUTCOME_FAILED;
				return -2;
			}
			if (hc->ret == 0 && !range_is(sim, e->gpa, e->npages, e->to_private)) {
				sim_guest_set_failure(
					sim,
					"%s: VMM answered 0 but 0x%llx (+%llu pages) is not %s",
					what, (unsigned long long)e->gpa,
					(unsigned long long)e->npages, state_name(e->to_private));
				return -1;
			}
			if (!expectation_met(e->expect, hc->ret == 0, hc->ret)) {
				sim_guest_set_failure(
					sim, "%s: VMM answered hypercall.ret=%llu, expected %s",
					what, (unsigned long long)hc->ret, expect_names[e->expect]);
				return -1;
			}
			return 1;
		}
	case EV_PSC_DESC: {
		int r = check_desc_reply(sim, run, e, what);

		if (r != 0)
			return r;
		exit_v12_psc(sim, run);
		return 3;
	}
	case EV_FAULT:
		/* The exit was -EFAULT; re-entering means the VMM converted the page. */
		if (!range_is(sim, s->sub_gpa, 1, e->to_private)) {
			sim_guest_set_failure(sim,
					      "%s: after the memory fault at 0x%llx the page is "
					      "still %s",
					      what, (unsigned long long)s->sub_gpa,
					      state_name(!e->to_private));
			return -1;
		}
		return s->sub >= e->npages ? 1 : 0;
	case EV_CERTS: {
		struct kvm_exit_snp_req_certs *rc = kvm_run_exit_data(run);
		uint8_t *hva;
		bool ok;

		/* snp_complete_req_certs(): 0, ENOSPC, EAGAIN, EIO; else KVM_RUN -EINVAL. */
		if (rc->ret != 0 && rc->ret != ENOSPC && rc->ret != EAGAIN && rc->ret != EIO) {
			snprintf(sim->failure, sizeof(sim->failure),
				 "%s: VMM replied snp_req_certs.ret=%llu (KVM accepts 0, ENOSPC, "
				 "EAGAIN, EIO)",
				 what, (unsigned long long)rc->ret);
			sim->outcome = SIM_OUTCOME_FAILED;
			return -2;
		}
		ok = rc->ret == 0;
		if (ok) {
			hva = sim_memory_shared_hva(&sim->mem, e->gpa, e->npages * SIM_PAGE_SIZE);
			if (!hva || !cert_table_valid(hva, e->npages * SIM_PAGE_SIZE)) {
				sim_guest_set_failure(
					sim, "%s: the certificate table at 0x%llx is malformed",
					what, (unsigned long long)e->gpa);
				return -1;
			}
		}
		if (!expectation_met(e->expect, ok, rc->ret) ||
		    (e->expect == EXP_ENOSPC && rc->npages != e->expect_n)) {
			sim_guest_set_failure(
				sim, "%s: VMM replied ret=%llu npages=%llu, expected %s", what,
				(unsigned long long)rc->ret, (unsigned long long)rc->npages,
				expect_names[e->expect]);
			return -1;
		}
		return 1;
	}
	case EV_WAIT_POWER_BUTTON:
		return check_wait_power_button(sim, run, e);
	case EV_ACPI_POWEROFF:
		return check_acpi_poweroff(sim, run, e);
	default:
		return 1;
	}
}

/*
 * kvm_arch_vcpu_ioctl_run() (x86.c) completes a pending userspace exit -- "r =
 * cui(vcpu)" for vcpu->arch.complete_userspace_io: complete_hypercall_exit() for
 * MAP_GPA_RANGE, snp_complete_req_certs() (7.0), the port I/O completion, the v12 PSC
 * completions -- before "if (!vcpu->wants_to_run) { r = -EINTR; ...}": the VMM's reply is
 * taken, or refused with -EINVAL, also by a KVM_RUN that immediate_exit ends. A memory
 * fault has no completion (the access is simply retried at the next entry).
 */
int sim_guest_complete(struct sim *sim, struct kvm_run *run)
{
	struct sim_script *s = sim->script;
	struct ev *e;
	int r;

	if (!s || s->st != P_WAIT_REPLY || s->exit_ready)
		return 0;
	e = cur_ev(sim);
	if (!e || (e->type == EV_FAULT && !s->ghcb_pending))
		return 0;
	r = check_reply(sim, run, e);
	if (r == -2)
		return -EINVAL;
	if (r == -1)
		return 0; /* P_FAILING: the guest reports it when it runs */
	if (r == 3) {
		s->exit_ready = true;
		return 0;
	}
	if (r == 1) {
		s->pc++;
		s->sub = 0;
		s->loops = 0;
	}
	s->st = P_RUN;
	return 0;
}

int sim_guest_run(struct sim *sim, struct kvm_run *run)
{
	struct sim_script *s = sim->script;
	struct ev *e;
	int r;

	if (sim->outcome == SIM_OUTCOME_NOT_RUN)
		sim->outcome = SIM_OUTCOME_RUNNING;
	if (s->exit_ready) {
		/* The exit a completion prepared (a v12 descriptor issued again). */
		s->exit_ready = false;
		return 0;
	}
	for (;;) {
		switch (s->st) {
		case P_DONE:
			/* Re-entering after the final exit repeats it. */
			finish(sim, run);
			return 0;
		case P_FAILING:
			if (s->out_off < s->out_len) {
				size_t n = s->out_len - s->out_off;

				if (n > SERIAL_CHUNK)
					n = SERIAL_CHUNK;
				exit_serial(run, s->out + s->out_off, n);
				s->out_off += n;
				return 0;
			}
			s->final_shutdown = false;
			finish(sim, run);
			return 0;
		case P_WAIT_REPLY:
			e = cur_ev(sim);
			r = check_reply(sim, run, e);
			if (r == -2)
				return -EINVAL;
			if (r < 0)
				continue; /* P_FAILING */
			if (r == 3)
				return 0;
			if (r == 0) {
				s->st = P_RUN;
				continue;
			}
			s->pc++;
			s->sub = 0;
			s->loops = 0;
			s->st = P_RUN;
			continue;
		case P_RUN:
			e = cur_ev(sim);
			if (!e || (s->is_default && !snp_vm(sim) && e->type != EV_PRINT &&
				   e->type != EV_SHUTDOWN)) {
				if (!e) {
					/* The end of the script is a shutdown. */
					s->final_shutdown = true;
					if (sim->outcome == SIM_OUTCOME_RUNNING)
						sim->outcome = SIM_OUTCOME_PASSED;
					finish(sim, run);
					return 0;
				}
				s->pc++; /* a plain VM plays only the default script's prints */
				continue;
			}
			r = start_event(sim, run, e);
			if (r < 0 && s->host_error)
				return s->host_error;
			if (r < 0)
				continue; /* P_FAILING */
			if (r == 0) {
				s->pc++;
				s->sub = 0;
				s->loops = 0;
				continue;
			}
			if (s->st == P_DONE)
				return 0;
			if (r == START_HALTED)
				return SIM_GUEST_HALTED;
			s->st = P_WAIT_REPLY;
			return r == 2 ? -EFAULT : 0;
		}
	}
}

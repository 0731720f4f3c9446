/* profile.c - card image JSON <-> in-memory card; see profile.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "card/fs.h"
#include "card/pin.h"
#include "card/profile.h"
#include "common/hex.h"

#define MAX_EF_SIZE 65535u

struct ld {
	struct uicc *card;
	char *err;
	size_t errlen;
	char where[256];
};

static int fail(struct ld *l, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->errlen > 0)
		snprintf(l->err, l->errlen, "%s%s%s", l->where, l->where[0] ? ": " : "", msg);
	return UICC_EPROFILE;
}

/* Optional hex member decoded into exactly `want` bytes (want 0 = any up to
 * cap).  1 present, 0 absent, <0 error. */
static int get_hex(struct ld *l, const json_t *o, const char *key, uint8_t *out, size_t cap,
		   size_t want, size_t *got)
{
	const json_t *v = json_object_get(o, key);
	const char *s;
	size_t n = 0;

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return fail(l, "'%s' must be a hex string", key);
	s = json_string_value(v);
	if (strlen(s) > 2 * cap || uk_hex_decode(s, out, cap, &n) != UK_HEX_OK)
		return fail(l, "'%s' must be a hex string of at most %zu bytes", key, cap);
	if (want && n != want)
		return fail(l, "'%s' must be %zu bytes (%zu hex digits), got %zu", key, want,
			    2 * want, n);
	if (got)
		*got = n;
	return 1;
}

static int get_uint(struct ld *l, const json_t *o, const char *key, unsigned min, unsigned max,
		    unsigned *out, int required)
{
	const json_t *v = json_object_get(o, key);
	json_int_t i;

	if (v == NULL) {
		if (required)
			return fail(l, "missing '%s'", key);
		return 0;
	}
	if (!json_is_integer(v))
		return fail(l, "'%s' must be an integer", key);
	i = json_integer_value(v);
	if (i < (json_int_t)min || i > (json_int_t)max)
		return fail(l, "'%s' must be in %u..%u", key, min, max);
	*out = (unsigned)i;
	return 1;
}

static int get_bool(struct ld *l, const json_t *o, const char *key, int dflt, int *out)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v))
		return fail(l, "'%s' must be true or false", key);
	*out = json_is_true(v);
	return 1;
}

static int get_str(struct ld *l, const json_t *o, const char *key, char **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
		return fail(l, "'%s' must be a string of 1..64 characters", key);
	if (strchr(json_string_value(v), '/') != NULL)
		return fail(l, "'%s' must not contain '/'", key);
	*out = strdup(json_string_value(v));
	return *out ? 1 : UICC_ENOMEM;
}

static int get_byte(struct ld *l, const json_t *o, const char *key, uint8_t *out)
{
	return get_hex(l, o, key, out, 1, 1, NULL);
}

static int get_fid(struct ld *l, const json_t *o, uint16_t *fid)
{
	uint8_t b[2] = { 0, 0 };
	int rc = get_hex(l, o, "fid", b, 2, 2, NULL);

	if (rc == 0)
		return fail(l, "missing 'fid'");
	if (rc < 0)
		return rc;
	*fid = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

static int common_attrs(struct ld *l, const json_t *o, struct uicc_file *f)
{
	int rc;

	if ((rc = get_str(l, o, "name", &f->name)) < 0)
		return rc;
	if ((rc = get_hex(l, o, "arr", f->arr, 3, 3, NULL)) < 0)
		return rc;
	f->has_arr = rc == 1;
	f->lcsi = UICC_LCSI_ACTIVATED;
	if ((rc = get_byte(l, o, "lcsi", &f->lcsi)) < 0)
		return rc;
	if (f->lcsi != UICC_LCSI_ACTIVATED && f->lcsi != UICC_LCSI_DEACTIVATED)
		return fail(l, "'lcsi' must be 05 (activated) or 04 (deactivated)");
	return 0;
}

static int pin_refs(struct ld *l, const json_t *o, struct uicc_file *f)
{
	const json_t *a = json_object_get(o, "pin_refs"), *v;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 8)
		return fail(l, "'pin_refs' must be an array of at most 8 key references");
	json_array_foreach(a, i, v) {
		size_t n;
		const char *s = json_is_string(v) ? json_string_value(v) : "";

		if (strlen(s) != 2 || uk_hex_decode(s, &f->pin_refs[i], 1, &n) != 0)
			return fail(l, "'pin_refs[%zu]' must be a 2-digit hex key reference", i);
		if (uicc_pin_find(l->card, f->pin_refs[i]) == NULL)
			return fail(l, "'pin_refs[%zu]' names key reference %02X, which is not in 'pins'",
				    i, f->pin_refs[i]);
	}
	f->n_pin_refs = json_array_size(a);
	return 0;
}

static int load_files(struct ld *l, const json_t *arr, struct uicc_file *df, int depth);

static int load_transparent(struct ld *l, const json_t *o, struct uicc_file *f)
{
	unsigned size = 0;
	int rc, has_size;
	size_t n = 0;
	uint8_t *tmp;

	if ((rc = get_uint(l, o, "size", 1, MAX_EF_SIZE, &size, 0)) < 0)
		return rc;
	has_size = rc;
	tmp = malloc(MAX_EF_SIZE);
	if (tmp == NULL)
		return UICC_ENOMEM;
	rc = get_hex(l, o, "data", tmp, MAX_EF_SIZE, 0, &n);
	if (rc >= 0 && !has_size && (rc == 0 || n == 0))
		rc = fail(l, "a transparent EF needs 'size' or non-empty 'data'");
	if (rc >= 0 && has_size && n > size)
		rc = fail(l, "'data' (%zu bytes) is longer than 'size' (%u)", n, size);
	if (rc >= 0) {
		f->size = has_size ? size : n;
		/* an EF of size 0 is legal (TS 102 221); keep a valid pointer */
		f->data = malloc(f->size ? f->size : 1);
		if (f->data == NULL) {
			rc = UICC_ENOMEM;
		} else {
			memset(f->data, 0xff, f->size);
			memcpy(f->data, tmp, n);
		}
	}
	OPENSSL_cleanse(tmp, n);
	free(tmp);
	return rc < 0 ? rc : 0;
}

static int load_records(struct ld *l, const json_t *o, struct uicc_file *f)
{
	unsigned rl = 0, nr = 0;
	const json_t *recs = json_object_get(o, "records"), *v;
	size_t i;
	int rc;

	if ((rc = get_uint(l, o, "record_length", 1, 255, &rl, 1)) < 0)
		return rc;
	if ((rc = get_uint(l, o, "record_count", 1, 254, &nr, 0)) < 0)
		return rc;
	if (recs != NULL && (!json_is_array(recs) || json_array_size(recs) == 0 ||
			     json_array_size(recs) > 254))
		return fail(l, "'records' must be an array of 1..254 hex strings");
	if (rc == 0) {
		if (recs == NULL)
			return fail(l, "a record EF needs 'record_count' or 'records'");
		nr = (unsigned)json_array_size(recs);
	}
	if (recs != NULL && json_array_size(recs) > nr)
		return fail(l, "'records' has more entries than 'record_count' (%u)", nr);
	if ((size_t)rl * nr > MAX_EF_SIZE)
		return fail(l, "record_length * record_count exceeds %u bytes", MAX_EF_SIZE);
	f->rec_len = rl;
	f->n_rec = nr;
	f->size = (size_t)rl * nr;
	f->data = malloc(f->size);
	if (f->data == NULL)
		return UICC_ENOMEM;
	memset(f->data, 0xff, f->size);
	if (recs == NULL)
		return 0;
	json_array_foreach(recs, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		size_t n;

		if (s == NULL || strlen(s) > 2 * (size_t)rl ||
		    uk_hex_decode(s, f->data + i * rl, rl, &n) != UK_HEX_OK)
			return fail(l, "'records[%zu]' must be a hex string of at most %u bytes", i, rl);
	}
	return 0;
}

static int check_siblings(struct ld *l, const struct uicc_file *df, const struct uicc_file *f)
{
	const struct uicc_file *c;

	for (c = df->children; c != NULL; c = c->next) {
		if (c->fid == f->fid)
			return fail(l, "duplicate FID %04X in this DF", f->fid);
		if (f->sfi && uicc_fs_is_ef(c) && c->sfi == f->sfi)
			return fail(l, "duplicate SFI %02X in this DF", f->sfi);
	}
	return 0;
}

static int load_file(struct ld *l, const json_t *o, struct uicc_file *df, int depth,
		     struct uicc_file **out)
{
	struct uicc_file *f;
	const char *type;
	int rc, internal;
	uint8_t sfi = 0;

	internal = 0;
	*out = NULL;
	if (!json_is_object(o))
		return fail(l, "a file must be a JSON object");
	if (++l->card->n_files > UICC_MAX_FILES)
		return fail(l, "more than %d files", UICC_MAX_FILES);
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return UICC_ENOMEM;
	*out = f;
	f->parent = df;
	if ((rc = get_fid(l, o, &f->fid)) < 0 || (rc = common_attrs(l, o, f)) < 0)
		return rc;
	if (f->fid == 0x3f00 || f->fid == 0x7fff || f->fid == 0xffff)
		return fail(l, "FID %04X is reserved", f->fid);
	type = json_string_value(json_object_get(o, "type"));
	if (type == NULL)
		return fail(l, "missing 'type' (df, transparent, linear-fixed, cyclic)");
	if (strcmp(type, "df") == 0) {
		f->type = UICC_FT_DF;
		if (depth + 1 > UICC_MAX_DEPTH)
			return fail(l, "DFs nested deeper than %d levels", UICC_MAX_DEPTH);
		if ((rc = pin_refs(l, o, f)) < 0)
			return rc;
		return load_files(l, json_object_get(o, "files"), f, depth + 1);
	}
	if (strcmp(type, "transparent") == 0)
		f->type = UICC_FT_TRANSPARENT;
	else if (strcmp(type, "linear-fixed") == 0)
		f->type = UICC_FT_LINEAR;
	else if (strcmp(type, "cyclic") == 0)
		f->type = UICC_FT_CYCLIC;
	else
		return fail(l, "unknown 'type' \"%s\" (df, transparent, linear-fixed, cyclic)", type);
	if ((rc = get_byte(l, o, "sfi", &sfi)) < 0)
		return rc;
	if (rc == 1 && (sfi < 1 || sfi > 30))
		return fail(l, "'sfi' must be 01..1E");
	f->sfi = sfi;
	if ((rc = get_bool(l, o, "internal", 0, &internal)) < 0)
		return rc;
	f->internal = internal;
	if (!f->internal && !f->has_arr)
		return fail(l, "an EF needs 'arr' (EF.ARR FID + record, 6 hex digits)");
	if (f->type == UICC_FT_TRANSPARENT)
		rc = load_transparent(l, o, f);
	else
		rc = load_records(l, o, f);
	return rc;
}

static int load_files(struct ld *l, const json_t *arr, struct uicc_file *df, int depth)
{
	char saved[sizeof(l->where)];
	struct uicc_file **tail = &df->children;
	const json_t *o;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return fail(l, "'files' must be an array");
	memcpy(saved, l->where, sizeof(saved));
	json_array_foreach(arr, i, o) {
		struct uicc_file *f;
		const char *nm = json_string_value(json_object_get(o, "name"));

		snprintf(l->where, sizeof(l->where), "%.120s/files[%zu]%s%.40s%s", saved, i,
			 nm ? " (" : "", nm ? nm : "", nm ? ")" : "");
		rc = load_file(l, o, df, depth, &f);
		if (f != NULL) {
			if (rc == 0)
				rc = check_siblings(l, df, f);
			*tail = f;	/* link even on error so the card frees it */
			tail = &f->next;
		}
		if (rc < 0)
			return rc;
	}
	memcpy(l->where, saved, sizeof(saved));
	return 0;
}

static int load_pin(struct ld *l, const json_t *o, struct uicc_pin *p)
{
	unsigned u = 0;
	int rc, b = 0;

	if (!json_is_object(o))
		return fail(l, "a PIN must be a JSON object");
	if ((rc = get_byte(l, o, "ref", &p->ref)) <= 0)
		return rc < 0 ? rc : fail(l, "missing 'ref'");
	if ((rc = get_str(l, o, "name", &p->name)) < 0)
		return rc;
	if ((rc = get_hex(l, o, "value", p->value, UICC_PIN_LEN, UICC_PIN_LEN, NULL)) <= 0)
		return rc < 0 ? rc : fail(l, "missing 'value' (8 bytes hex)");
	if ((rc = get_uint(l, o, "max_retries", 1, 15, &u, 1)) < 0)
		return rc;
	p->max_retries = (uint8_t)u;
	u = p->max_retries;
	if ((rc = get_uint(l, o, "retries", 0, p->max_retries, &u, 0)) < 0)
		return rc;
	p->retries = (uint8_t)u;
	if ((rc = get_bool(l, o, "enabled", 1, &b)) < 0)
		return rc;
	p->enabled = (uint8_t)b;
	if ((rc = get_bool(l, o, "can_disable", 0, &b)) < 0)
		return rc;
	p->can_disable = (uint8_t)b;
	if (!p->enabled && !p->can_disable)
		return fail(l, "'enabled' is false but 'can_disable' is not true");
	if ((rc = get_hex(l, o, "puk", p->puk, UICC_PIN_LEN, UICC_PIN_LEN, NULL)) < 0)
		return rc;
	p->has_puk = rc == 1;
	if (p->has_puk) {
		if ((rc = get_uint(l, o, "puk_max_retries", 1, 15, &u, 1)) < 0)
			return rc;
		p->puk_max_retries = (uint8_t)u;
		u = p->puk_max_retries;
		if ((rc = get_uint(l, o, "puk_retries", 0, p->puk_max_retries, &u, 0)) < 0)
			return rc;
		p->puk_retries = (uint8_t)u;
	}
	return 0;
}

static int load_pins(struct ld *l, const json_t *arr)
{
	const json_t *o;
	size_t i, j;
	int rc;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > UICC_MAX_PINS)
		return fail(l, "'pins' must be an array of at most %d PINs", UICC_MAX_PINS);
	json_array_foreach(arr, i, o) {
		snprintf(l->where, sizeof(l->where), "pins[%zu]", i);
		rc = load_pin(l, o, &l->card->pins[i]);
		l->card->n_pins = i + 1;
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (l->card->pins[j].ref == l->card->pins[i].ref)
				return fail(l, "duplicate key reference %02X", l->card->pins[i].ref);
	}
	l->where[0] = '\0';
	return 0;
}

static int load_df_root(struct ld *l, const json_t *o, struct uicc_file *f)
{
	int rc;

	if (!json_is_object(o))
		return fail(l, "must be a JSON object");
	if ((rc = get_fid(l, o, &f->fid)) < 0 || (rc = common_attrs(l, o, f)) < 0 ||
	    (rc = pin_refs(l, o, f)) < 0)
		return rc;
	return load_files(l, json_object_get(o, "files"), f, 1);
}

static int load_adfs(struct ld *l, const json_t *arr)
{
	struct uicc_file **tail = &l->card->adfs;
	const json_t *o;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > UICC_MAX_APPLETS)
		return fail(l, "'adfs' must be an array of at most %d ADFs", UICC_MAX_APPLETS);
	json_array_foreach(arr, i, o) {
		struct uicc_file *f = calloc(1, sizeof(*f)), *c;

		if (f == NULL)
			return UICC_ENOMEM;
		*tail = f;
		tail = &f->next;
		f->type = UICC_FT_ADF;
		f->parent = l->card->mf;
		snprintf(l->where, sizeof(l->where), "adfs[%zu]", i);
		if (!json_is_object(o))
			return fail(l, "must be a JSON object");
		if ((rc = get_hex(l, o, "aid", f->aid, 16, 0, &f->aid_len)) <= 0)
			return rc < 0 ? rc : fail(l, "missing 'aid'");
		if (f->aid_len < 5)
			return fail(l, "'aid' must be 5..16 bytes (RID + PIX)");
		for (c = l->card->adfs; c != f; c = c->next)
			if (c->aid_len == f->aid_len && memcmp(c->aid, f->aid, f->aid_len) == 0)
				return fail(l, "duplicate AID");
		if ((rc = get_str(l, o, "applet", &f->applet)) < 0)
			return rc;
		if ((rc = load_df_root(l, o, f)) < 0)
			return rc;
	}
	l->where[0] = '\0';
	return 0;
}

int uicc_profile_load(struct uicc *card, const json_t *doc, char *err, size_t errlen)
{
	struct ld l;
	const char *schema;
	int rc;

	memset(&l, 0, sizeof(l));
	l.card = card;
	l.err = err;
	l.errlen = errlen;
	if (!json_is_object(doc))
		return fail(&l, "the card image must be a JSON object");
	schema = json_string_value(json_object_get(doc, "schema"));
	if (schema == NULL || strcmp(schema, UICC_SCHEMA) != 0)
		return fail(&l, "'schema' must be \"%s\"", UICC_SCHEMA);
	if ((rc = get_str(&l, doc, "name", &card->profile_name)) < 0)
		return rc;
	if ((rc = load_pins(&l, json_object_get(doc, "pins"))) < 0)
		return rc;
	card->mf = calloc(1, sizeof(*card->mf));
	if (card->mf == NULL)
		return UICC_ENOMEM;
	card->mf->type = UICC_FT_MF;
	snprintf(l.where, sizeof(l.where), "mf");
	if (json_object_get(doc, "mf") == NULL)
		return fail(&l, "missing");
	if ((rc = load_df_root(&l, json_object_get(doc, "mf"), card->mf)) < 0)
		return rc;
	if (card->mf->fid != 0x3f00)
		return fail(&l, "the MF's 'fid' must be 3F00");
	return load_adfs(&l, json_object_get(doc, "adfs"));
}

/* ---- save ---- */

static int set_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	char *s = uk_hex_alloc(p, n);
	int rc;

	if (s == NULL)
		return -1;
	rc = json_object_set_new(o, key, json_string(s));
	OPENSSL_cleanse(s, strlen(s));
	free(s);
	return rc;
}

static json_t *save_file(const struct uicc_file *f);

static int save_attrs(json_t *o, const struct uicc_file *f)
{
	uint8_t fid[2] = { (uint8_t)(f->fid >> 8), (uint8_t)f->fid };
	int rc = set_hex(o, "fid", fid, 2);

	if (f->name)
		rc |= json_object_set_new(o, "name", json_string(f->name));
	if (f->has_arr)
		rc |= set_hex(o, "arr", f->arr, 3);
	if (f->lcsi != UICC_LCSI_ACTIVATED)
		rc |= set_hex(o, "lcsi", &f->lcsi, 1);
	return rc;
}

static int save_children(json_t *o, const struct uicc_file *df)
{
	json_t *a = json_array();
	const struct uicc_file *c;
	int rc = 0;
	size_t i;

	if (a == NULL)
		return -1;
	if (df->n_pin_refs) {
		json_t *r = json_array();

		for (i = 0; r && i < df->n_pin_refs; i++) {
			char h[3];

			uk_hex_encode(&df->pin_refs[i], 1, h);
			rc |= json_array_append_new(r, json_string(h));
		}
		rc |= json_object_set_new(o, "pin_refs", r);
	}
	for (c = df->children; c != NULL; c = c->next)
		rc |= json_array_append_new(a, save_file(c));
	rc |= json_object_set_new(o, "files", a);
	return rc;
}

static json_t *save_file(const struct uicc_file *f)
{
	json_t *o = json_object();
	int rc;
	unsigned r;

	if (o == NULL)
		return NULL;
	rc = save_attrs(o, f);
	switch (f->type) {
	case UICC_FT_DF:
		rc |= json_object_set_new(o, "type", json_string("df"));
		rc |= save_children(o, f);
		break;
	case UICC_FT_TRANSPARENT:
		rc |= json_object_set_new(o, "type", json_string("transparent"));
		rc |= json_object_set_new(o, "size", json_integer((json_int_t)f->size));
		rc |= set_hex(o, "data", f->data, f->size);
		break;
	default: {
		json_t *a = json_array();

		rc |= json_object_set_new(o, "type", json_string(
			f->type == UICC_FT_CYCLIC ? "cyclic" : "linear-fixed"));
		rc |= json_object_set_new(o, "record_length", json_integer((json_int_t)f->rec_len));
		rc |= json_object_set_new(o, "record_count", json_integer((json_int_t)f->n_rec));
		for (r = 1; a && r <= f->n_rec; r++) {
			char *s = uk_hex_alloc(uicc_fs_record(f, r), f->rec_len);

			rc |= s ? json_array_append_new(a, json_string(s)) : -1;
			if (s)
				OPENSSL_cleanse(s, strlen(s));
			free(s);
		}
		rc |= json_object_set_new(o, "records", a);
		break;
	}
	}
	if (uicc_fs_is_ef(f)) {
		if (f->sfi)
			rc |= set_hex(o, "sfi", &f->sfi, 1);
		if (f->internal)
			rc |= json_object_set_new(o, "internal", json_true());
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *save_pin(const struct uicc_pin *p)
{
	json_t *o = json_object();
	int rc;

	if (o == NULL)
		return NULL;
	rc = set_hex(o, "ref", &p->ref, 1);
	if (p->name)
		rc |= json_object_set_new(o, "name", json_string(p->name));
	rc |= set_hex(o, "value", p->value, UICC_PIN_LEN);
	rc |= json_object_set_new(o, "retries", json_integer(p->retries));
	rc |= json_object_set_new(o, "max_retries", json_integer(p->max_retries));
	rc |= json_object_set_new(o, "enabled", json_boolean(p->enabled));
	rc |= json_object_set_new(o, "can_disable", json_boolean(p->can_disable));
	if (p->has_puk) {
		rc |= set_hex(o, "puk", p->puk, UICC_PIN_LEN);
		rc |= json_object_set_new(o, "puk_retries", json_integer(p->puk_retries));
		rc |= json_object_set_new(o, "puk_max_retries", json_integer(p->puk_max_retries));
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *uicc_profile_save(const struct uicc *card)
{
	json_t *doc = json_object(), *pins = json_array(), *mf = json_object(), *adfs = json_array();
	const struct uicc_file *a;
	size_t i;
	int rc = 0;

	if (doc == NULL || pins == NULL || mf == NULL || adfs == NULL) {
		json_decref(doc);
		json_decref(pins);
		json_decref(mf);
		json_decref(adfs);
		return NULL;
	}
	rc |= json_object_set_new(doc, "schema", json_string(UICC_SCHEMA));
	if (card->profile_name)
		rc |= json_object_set_new(doc, "name", json_string(card->profile_name));
	for (i = 0; i < card->n_pins; i++)
		rc |= json_array_append_new(pins, save_pin(&card->pins[i]));
	rc |= json_object_set_new(doc, "pins", pins);
	rc |= save_attrs(mf, card->mf);
	rc |= save_children(mf, card->mf);
	rc |= json_object_set_new(doc, "mf", mf);
	for (a = card->adfs; a != NULL; a = a->next) {
		json_t *o = json_object();

		if (o == NULL) {
			rc = -1;
			break;
		}
		rc |= set_hex(o, "aid", a->aid, a->aid_len);
		if (a->applet)
			rc |= json_object_set_new(o, "applet", json_string(a->applet));
		rc |= save_attrs(o, a);
		rc |= save_children(o, a);
		rc |= json_array_append_new(adfs, o);
	}
	rc |= json_object_set_new(doc, "adfs", adfs);
	if (rc != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* lib/fs and the site packer: what the packer writes (order, implied
 * directories, MIME types, ETags, gzip variants, alignment, the same
 * bytes for the same site), lookups, and mounting refusing every kind
 * of malformed image without reading outside it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "../../../tools/imagegen/sitepack.h"
#include "fs_site.h"
#include "pith/fs.h"
#include "unit.h"

static char repetitive[4000];

static size_t site(struct sp_input *in)
{
	memset(repetitive, 'a', sizeof repetitive);
	size_t n = 0;
	in[n++] = (struct sp_input){ "index.html", 0, "<h1>home</h1>\n", 14,
				     1700000000 };
	in[n++] = (struct sp_input){ "abc.txt", 0, "abc", 3, 1 };
	in[n++] = (struct sp_input){ "css/site.css", 0, repetitive,
				     sizeof repetitive, 2 };
	in[n++] = (struct sp_input){ "docs/a/b/deep.json", 0, "{}", 2, 3 };
	in[n++] = (struct sp_input){ "empty", 0, "", 0, 4 };
	in[n++] = (struct sp_input){ "img.PNG", 0, repetitive, 600, 5 };
	in[n++] = (struct sp_input){ "a", 0, "x", 1, 6 };
	in[n++] = (struct sp_input){ "a.b", 0, "y", 1, 7 };
	return n;
}

static void test_pack_and_lookup(void)
{
	struct sp_input in[16];
	size_t n = site(in), len;
	void *img = fs_test_pack(in, n, &len);
	struct fs fs;
	struct fs_file f;

	CHECK(img != NULL);
	if (!img)
		return;
	CHECK_EQ(fs_mount(&fs, img, len), 0);
	/* 8 files, the root, css, docs, docs/a, docs/a/b. */
	CHECK_EQ(fs.count, 13);
	CHECK_EQ(fs_lookup(&fs, "", 0, &f), 0);
	CHECK(f.dir);
	CHECK_EQ(fs_lookup(&fs, "docs/a", 6, &f), 0);
	CHECK(f.dir && f.data == NULL && f.size == 0);
	CHECK_EQ(fs_lookup(&fs, "index.html", 10, &f), 0);
	CHECK(!f.dir && f.size == 14 && !memcmp(f.data, "<h1>home</h1>\n", 14));
	CHECK_STR(f.mime, "text/html; charset=utf-8");
	CHECK_EQ(f.mtime, 1700000000);
	CHECK_EQ((uintptr_t)f.data % FS_ALIGN, 0);
	/* The ETag is the first 128 bits of SHA-256, quoted. */
	CHECK_EQ(fs_lookup(&fs, "abc.txt", 7, &f), 0);
	CHECK_STR(f.etag, "\"ba7816bf8f01cfea414140de5dae2223\"");
	CHECK_EQ(f.etag_len, 34);
	CHECK_STR(f.mime, "text/plain; charset=utf-8");
	CHECK(f.gz == NULL); /* gzip would be larger */
	CHECK_EQ(fs_lookup(&fs, "img.PNG", 7, &f), 0);
	CHECK_STR(f.mime, "image/png");
	CHECK(f.gz == NULL); /* compressed types are not gzipped */
	CHECK_EQ(fs_lookup(&fs, "empty", 5, &f), 0);
	CHECK_EQ(f.size, 0);
	CHECK_STR(f.mime, "application/octet-stream");
	CHECK_EQ(fs_lookup(&fs, "a", 1, &f), 0);
	CHECK(f.size == 1 && f.data[0] == 'x');
	CHECK_EQ(fs_lookup(&fs, "a.b", 3, &f), 0);
	CHECK(f.size == 1 && f.data[0] == 'y');
	CHECK_EQ(fs_lookup(&fs, "docs/a/b/deep.json", 18, &f), 0);
	CHECK_STR(f.mime, "application/json");
	/* Absent: near misses on every side. */
	CHECK_EQ(fs_lookup(&fs, "index.htm", 9, &f), -ENOENT);
	CHECK_EQ(fs_lookup(&fs, "index.html/", 11, &f), -ENOENT);
	CHECK_EQ(fs_lookup(&fs, "/index.html", 11, &f), -ENOENT);
	CHECK_EQ(fs_lookup(&fs, "A", 1, &f), -ENOENT);
	CHECK_EQ(fs_lookup(&fs, "zzz", 3, &f), -ENOENT);
	CHECK_EQ(fs_lookup(NULL, "a", 1, &f), -ENOENT);
	CHECK_EQ(fs_entry(&fs, 13, &f), -ENOENT);
	free(img);
}

static void test_gzip_variant(void)
{
	struct sp_input in[16];
	size_t n = site(in), len;
	void *img = fs_test_pack(in, n, &len);
	struct fs fs;
	struct fs_file f;
	unsigned char out[sizeof repetitive + 1];
	z_stream z = { 0 };

	CHECK(img && fs_mount(&fs, img, len) == 0);
	if (!img)
		return;
	CHECK_EQ(fs_lookup(&fs, "css/site.css", 12, &f), 0);
	CHECK(f.gz != NULL && f.gz_size < f.size);
	CHECK_EQ((uintptr_t)f.gz % FS_ALIGN, 0);
	CHECK(f.gz[0] == 0x1f && f.gz[1] == 0x8b); /* a gzip member */
	inflateInit2(&z, 15 + 16);
	z.next_in = (unsigned char *)(uintptr_t)f.gz;
	z.avail_in = (unsigned)f.gz_size;
	z.next_out = out;
	z.avail_out = sizeof out;
	CHECK_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
	CHECK_EQ(z.total_out, sizeof repetitive);
	CHECK(!memcmp(out, repetitive, sizeof repetitive));
	inflateEnd(&z);
	free(img);
}

static void test_deterministic(void)
{
	struct sp_input in[16], in2[16];
	size_t n = site(in), len1, len2;
	void *a, *b;

	memcpy(in2, in, sizeof in);
	/* Reversed input order: the packer sorts. */
	for (size_t i = 0; i < n; i++)
		in2[i] = in[n - 1 - i];
	a = fs_test_pack(in, n, &len1);
	b = fs_test_pack(in2, n, &len2);
	CHECK(a && b && len1 == len2 && !memcmp(a, b, len1));
	free(a);
	free(b);
}

static void test_packer_refusals(void)
{
	static const char *const bad[] = {
		"a/../b", "./a",  "a/./b", "a//b", "/a",
		"a/",	  "a\\b", "a\tb",  "..",
	};
	struct sp_input in[2];
	size_t len;
	void *img;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in[0] = (struct sp_input){ bad[i], 0, "x", 1, 0 };
		img = fs_test_pack(in, 1, &len);
		if (img)
			unit_fail(__FILE__, __LINE__, "'%s' was packed",
				  bad[i]);
		free(img);
	}
	in[0] = (struct sp_input){ "d/f", 0, "x", 1, 0 };
	in[1] = (struct sp_input){ "d", 0, "y", 1, 0 };
	CHECK((img = fs_test_pack(in, 2, &len)) == NULL);
	free(img);
	in[1] = (struct sp_input){ "d/f", 0, "y", 1, 0 };
	CHECK((img = fs_test_pack(in, 2, &len)) == NULL);
	free(img);
	CHECK_STR(sp_mime("x/y.tar.GZ"), "application/gzip");
	CHECK_STR(sp_mime("x.d/README"), "application/octet-stream");
	CHECK_STR(sp_mime("x."), "application/octet-stream");
}

/* Writes V at offset OFF of a copy of IMG and mounts it. */
static int mount_patched(const void *img, size_t len, size_t off, const void *v,
			 size_t vlen)
{
	uint8_t *c =
		aligned_alloc(FS_ALIGN, (len + FS_ALIGN) / FS_ALIGN * FS_ALIGN);
	struct fs fs;
	int r;

	memcpy(c, img, len);
	memcpy(c + off, v, vlen);
	r = fs_mount(&fs, c, len);
	free(c);
	return r;
}

static void test_mount_refusals(void)
{
	struct sp_input in[16];
	size_t n = site(in), len;
	uint8_t *img = fs_test_pack(in, n, &len);
	struct fs fs;
	struct fs_image_header h;
	uint64_t huge = UINT64_MAX - 8;
	uint32_t big = 0xfffffff0, one = 1;
	size_t e0 = 0;

	if (!img)
		return;
	memcpy(&h, img, sizeof h);
	e0 = h.index_off;
	CHECK_EQ(fs_mount(&fs, img, len - 1), -EINVAL);
	CHECK_EQ(fs_mount(&fs, img, 10), -EINVAL);
	CHECK_EQ(fs_mount(&fs, img + 1, len - 1), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 0, "PITHFS02", 8), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 8, &big, 4), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 12, &big, 4), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 16, &huge, 8), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 24, &huge, 8), -EINVAL);
	CHECK_EQ(mount_patched(img, len, 32, &huge, 8), -EINVAL);
	/* An entry's path past the strings, its length wrapping. */
	CHECK_EQ(mount_patched(img, len, e0 + 72, &big, 4), -EINVAL);
	CHECK_EQ(mount_patched(img, len, e0 + 76, &big, 4), -EINVAL);
	/* Content past the blob, misaligned, or wrapping. */
	CHECK_EQ(mount_patched(img, len, e0 + 72 * 5 + 32, &huge, 8), -EINVAL);
	CHECK_EQ(mount_patched(img, len, e0 + 72 * 5 + 40, &huge, 8), -EINVAL);
	CHECK_EQ(mount_patched(img, len, e0 + 72 * 5 + 40, &one, 4), -EINVAL);
	/* Unknown flags; a directory with content; the same path twice
	 * (entry 1 pointed at entry 0's path). */
	CHECK_EQ(mount_patched(img, len, e0 + 72 * 5 + 24, &big, 4), -EINVAL);
	CHECK_EQ(mount_patched(img, len, e0 + 32, &one, 4), -EINVAL);
	CHECK_EQ(mount_patched(img, len, e0 + 72, img + e0, 8), -EINVAL);
	CHECK_EQ(fs_mount(&fs, img, len), 0);
	free(img);
}

/* Random corruption: mounting either refuses, or every lookup stays
 * inside the blob (AddressSanitizer would say otherwise). */
static void test_mount_random_corruption(void)
{
	struct sp_input in[16];
	size_t n = site(in), len;
	uint8_t *img = fs_test_pack(in, n, &len);
	uint8_t *c;
	unsigned mounted = 0;

	if (!img)
		return;
	c = aligned_alloc(FS_ALIGN, (len + FS_ALIGN) / FS_ALIGN * FS_ALIGN);
	srand(11);
	for (int round = 0; round < 3000; round++) {
		struct fs fs;
		struct fs_file f;
		size_t hdr = 48 + 13 * 72 + 400; /* header, index, strings */
		memcpy(c, img, len);
		for (int k = 0; k < 1 + rand() % 4; k++)
			c[(size_t)rand() % (hdr < len ? hdr : len)] ^=
				(uint8_t)(1 + rand() % 255);
		if (fs_mount(&fs, c, len) < 0)
			continue;
		mounted++;
		for (uint32_t i = 0; fs_entry(&fs, i, &f) == 0; i++) {
			volatile uint8_t sum = 0;
			fs_lookup(&fs, f.path, f.path_len, &f);
			for (uint64_t j = 0; j < f.size; j += 61)
				sum ^= f.data[j];
			sum ^= (uint8_t)f.mime[strlen(f.mime)];
		}
	}
	CHECK(mounted > 0); /* some flips land in content or padding */
	free(c);
	free(img);
}

static void test_no_site(void)
{
	/* The unit test binary links no site blob. */
	CHECK(fs_site() == NULL);
}

static const struct unit_test tests[] = {
	{ "pack-and-lookup", test_pack_and_lookup },
	{ "gzip-variant", test_gzip_variant },
	{ "deterministic", test_deterministic },
	{ "packer-refusals", test_packer_refusals },
	{ "mount-refusals", test_mount_refusals },
	{ "mount-random-corruption", test_mount_random_corruption },
	{ "no-site", test_no_site },
};
const struct unit_suite suite_fs = UNIT_SUITE("fs", tests);

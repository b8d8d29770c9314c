// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's engine on records laid out as the vsva series' 6.12
 * formats lay them out: PASID and SVA operations paired per thread and
 * nested (an SVA bind holds a PASID attach), device strings read through
 * __data_loc and __rel_loc and never outside the record, iommufd
 * allocations and invalidations, IRQ bypass connects by a kernel thread;
 * strings from the recording in valid JSON and CSV.
 */
#include <unistd.h>
#include "perftest.h"

static void test_pasid_paired_and_nested(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec att = exit_rec("iommufd_mock0", 1, 0, false);
	struct rec bind = exit_rec("0000:00:04.0", 16, 0, false);
	char *out;

	/* thread 11 of VMM 10: an SVA bind holding a PASID attach */
	feed(r, HWPT_ALLOC, 10, 10, 500, NULL);	/* makes 10 a VMM */
	feed(r, BIND_ENTER, 10, 11, 1000, NULL);
	feed(r, ATTACH_ENTER, 10, 11, 1200, NULL);
	feed(r, ATTACH_EXIT, 10, 11, 1700, &att);
	feed(r, BIND_EXIT, 10, 11, 4000, &bind);
	/* another attach on thread 12, 2 us */
	feed(r, ATTACH_ENTER, 10, 12, 5000, NULL);
	feed(r, ATTACH_EXIT, 10, 12, 7000, &att);
	out = json(r);
	expect(out, "\"iommu_pasid\":{\"attach device=iommufd_mock0 "
		    "domain_type=unmanaged\":{\"count\":2,\"errors\":0,"
		    "\"min_seconds\":0.000000500,\"p50_seconds\":0.000000500,"
		    "\"p99_seconds\":0.000002000,\"max_seconds\":0.000002000");
	expect(out, "\"iommu_sva\":{\"bind device=0000:00:04.0 "
		    "domain_type=sva\":{\"count\":1,\"errors\":0,"
		    "\"min_seconds\":0.000003000");
	expect(out, "\"labels\":{\"op\":\"attach\",\"device\":"
		    "\"iommufd_mock0\",\"domain_type\":\"unmanaged\"}");
	expect(out, "\"unpaired\":0");
	free(out);
	rep_free(r);
}

static void test_errors_and_unpaired(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec bad = exit_rec("iommufd_mock1", 1, -22, false);
	struct rec det = exit_rec("iommufd_mock1", 1, 0, false);
	char *out;

	feed(r, HWPT_ALLOC, 20, 20, 10, NULL);
	feed(r, ATTACH_ENTER, 20, 20, 100, NULL);
	feed(r, ATTACH_EXIT, 20, 20, 300, &bad);
	feed(r, DETACH_EXIT, 20, 20, 400, &det);  /* no enter */
	feed(r, DETACH_ENTER, 20, 21, 500, NULL); /* no exit */
	out = json(r);
	expect(out, "\"attach device=iommufd_mock1 domain_type=unmanaged\":"
		    "{\"count\":1,\"errors\":1,");
	expect(out, "\"unpaired\":2");
	free(out);
	rep_free(r);
}

static void test_rel_loc_and_odd_names(void **state)
{
	struct report *r = new_report(LOC_REL);
	struct rec odd = exit_rec("a\"b,c\\d", 4, 0, true);
	char *out;

	feed(r, HWPT_ALLOC, 30, 30, 10, NULL);
	feed(r, DETACH_ENTER, 30, 30, 100, NULL);
	feed(r, DETACH_EXIT, 30, 30, 900, &odd);
	out = json(r);
	expect(out, "\"detach device=a_b_c_d domain_type=identity\":"
		    "{\"count\":1,");
	free(out);
	rep_free(r);
}

/* A __data_loc word pointing past the record: undecodable, not read. */
static void test_string_outside_record(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec e = exit_rec("iommufd_mock0", 1, 0, false);
	char *out;

	put32(&e, DEV_OFF, 200u << 16 | STR_OFF);
	feed(r, ATTACH_ENTER, 40, 40, 100, NULL);
	feed(r, ATTACH_EXIT, 40, 40, 200, &e);
	put32(&e, DEV_OFF, 4u << 16 | 0xfff0);
	feed(r, ATTACH_ENTER, 40, 40, 300, NULL);
	feed(r, ATTACH_EXIT, 40, 40, 400, &e);
	out = json(r);
	expect(out, "\"undecodable\":2");
	assert_null(strstr(out, "iommu_pasid"));
	free(out);
	rep_free(r);
	/* a string field must be 4 bytes (the __data_loc word) */
	r = rep_new();
	assert_int_equal(rep_set_field(r, ev(r, ATTACH_EXIT), "device", 8,
				       2, LOC_DATA), -1);
	rep_free(r);
}

static void test_iommufd_and_bypass(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec alloc = { .n = 40 }, inv = { .n = 28 }, conn = { .n = 24 };
	struct vm *k;
	char *out;
	int i;

	alloc.b[16] = 1;			/* nested */
	feed(r, HWPT_ALLOC, 50, 50, 10, &alloc);
	put32(&alloc, 32, (uint32_t)-12);	/* -ENOMEM */
	feed(r, HWPT_ALLOC, 50, 50, 20, &alloc);
	put32(&inv, 16, 4);		/* asked */
	put32(&inv, 20, 3);		/* handled */
	feed(r, HWPT_INV_ENTER, 50, 51, 1000, NULL);
	feed(r, HWPT_INV_EXIT, 50, 51, 1800, &inv);
	for (i = 0; i < 4; i++) {	/* the KUnit irqbypass test */
		feed(r, CONNECT, 60, 60, 2000 + i, &conn);
		feed(r, DISCONNECT, 60, 60, 3000 + i, &conn);
	}
	k = rep_vm_find(r, 60);
	assert_non_null(k);
	snprintf(k->comm, sizeof(k->comm), "kunit_try_catch");
	out = json(r);
	expect(out, "\"iommufd_nested\":{\"hwpt_alloc_nested\":{\"count\":2,"
		    "\"errors\":1}");
	expect(out, "\"hwpt_invalidate\":{\"count\":1,\"errors\":0,"
		    "\"min_seconds\":0.000000800");
	expect(out, "\"entries\":3,\"entries_requested\":4}");
	expect(out, "{\"vm\":\"kernel/0\",\"pid\":0,\"comm\":\"\",\"unpaired\":0,"
		    "\"measurements\":{\"irq_bypass_connect\":{\"connect\":"
		    "{\"count\":4,\"errors\":0},\"disconnect\":{\"count\":4,"
		    "\"errors\":0}}}}");
	free(out);
	rep_free(r);
}

/* python3 checks that @json and @csv parse (strict JSON: no raw control
 * character; UTF-8 throughout; RFC 4180 CSV of even rows) and hold the
 * strings of test_hostile_strings as they were, the text \xff for 0xff
 * (as vsvad's labels write it). */
static const char check_py[] =
"import csv, json, sys\n"
"j = json.load(open(sys.argv[1], encoding='utf-8'))\n"
"v = [v for v in j['vms'] if v['pid'] == 70][0]\n"
"assert v['comm'] == 'q\"u,o\\nte\\\\xff', repr(v['comm'])\n"
"assert v['vm'] == 'q\"u,o\\nte\\\\xff/70', repr(v['vm'])\n"
"r = j['recording']\n"
"assert r['kernel'] == '6.1\"x\\x01\\\\', repr(r['kernel'])\n"
"assert r['host'] == 'h,o\"st\\n\\\\xff', repr(r['host'])\n"
"assert r['file'] == 'a \"b\".data', repr(r['file'])\n"
"rows = list(csv.reader(open(sys.argv[2], encoding='utf-8', newline='')))\n"
"assert all(len(x) == len(rows[0]) for x in rows), rows\n"
"mine = [x for x in rows[1:] if x[1] == '70']\n"
"assert mine and mine[0][0] == 'q\"u,o\\nte\\\\xff/70', rows\n";

static char *report_to(struct report *r, const char *fmt, char *path)
{
	char opt[32];
	FILE *f;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	snprintf(opt, sizeof(opt), "format=%s", fmt);
	assert_int_equal(rep_option(r, opt), 0);
	rep_print(r, f);
	fclose(f);
	return path;
}

/* A comm (as perf's COMM records give it), a host name and a kernel
 * release (the recording's header) with a quote, a comma, a newline, a
 * control character and a byte that is no UTF-8: valid JSON and CSV. */
static void test_hostile_strings(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec alloc = { .n = 40 };
	char json_path[] = "/tmp/test_perfreport.XXXXXX";
	char csv_path[] = "/tmp/test_perfreport.XXXXXX";
	char cmd[256];
	struct vm *v;
	FILE *py;
	int rc;

	feed(r, HWPT_ALLOC, 70, 70, 10, &alloc);
	v = rep_vm_find(r, 70);
	assert_non_null(v);
	snprintf(v->comm, sizeof(v->comm), "q\"u,o\nte\xff");
	assert_int_equal(rep_option(r, "kernel=6.1\"x\x01\\"), 0);
	assert_int_equal(rep_option(r, "host=h,o\"st\n\xff"), 0);
	assert_int_equal(rep_option(r, "file=a \"b\".data"), 0);
	report_to(r, "json", json_path);
	report_to(r, "csv", csv_path);
	snprintf(cmd, sizeof(cmd), "python3 - %s %s", json_path, csv_path);
	py = popen(cmd, "w");
	assert_non_null(py);
	fputs(check_py, py);
	rc = pclose(py);
	unlink(json_path);
	unlink(csv_path);
	assert_int_equal(rc, 0);
	rep_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pasid_paired_and_nested),
		cmocka_unit_test(test_errors_and_unpaired),
		cmocka_unit_test(test_rel_loc_and_odd_names),
		cmocka_unit_test(test_string_outside_record),
		cmocka_unit_test(test_iommufd_and_bypass),
		cmocka_unit_test(test_hostile_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

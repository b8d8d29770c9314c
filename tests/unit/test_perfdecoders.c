// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's decoders of what issue 16 added to the series, on records
 * laid out as its 7.x formats lay them out (and 6.12's where they
 * differ): PASID replace, iommufd's attach/replace/detach of a PASID,
 * vIOMMU and vDEVICE allocations and vIOMMU invalidations; and one event
 * (sys_enter_ioctl) consumed by two decoders.
 */
#include "perftest.h"

/* iommufd_device_class on 7.x: device (__data_loc) at 8, dev_id 12,
 * pt_id 16, result 20, pasid 24, the string from 28 */
static struct rec fd_rec(const char *dev, uint32_t pasid, int32_t result)
{
	struct rec r = { .n = 28 + strlen(dev) + 1 };

	put32(&r, 8, (uint32_t)(strlen(dev) + 1) << 16 | 28);
	put32(&r, 20, (uint32_t)result);
	put32(&r, 24, pasid);
	memcpy(r.b + 28, dev, strlen(dev) + 1);
	return r;
}

static const char *const fd_events[] = {
	"iommufd:iommufd_device_attach", "iommufd:iommufd_device_replace",
	"iommufd:iommufd_device_detach",
};

/* PASID replace paired and timed like attach; iommufd's attach, replace
 * and detach counted on the device where they name a PASID (not the
 * RID's, pasid 0), with their errors. */
static void test_replace_and_iommufd_pasid(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec rep = exit_rec("iommufd_mock0", 1, 0, false);
	struct rec a = fd_rec("iommufd_mock0", 100, 0);
	struct rec rid = fd_rec("iommufd_mock0", 0, 0);
	struct rec bad = fd_rec("iommufd_mock0", 101, -22);
	char *out;
	int i;

	for (i = 0; i < 3; i++) {
		set(r, fd_events[i], "device", 8, 4, LOC_DATA);
		set(r, fd_events[i], "result", 20, 4, LOC_PLAIN);
		set(r, fd_events[i], "pasid", 24, 4, LOC_PLAIN);
	}
	feed(r, HWPT_ALLOC, 80, 80, 10, NULL);		/* makes 80 a VMM */
	feed(r, REPLACE_ENTER, 80, 81, 1000, NULL);
	feed(r, REPLACE_EXIT, 80, 81, 4000, &rep);
	feed(r, fd_events[0], 80, 81, 5000, &a);
	feed(r, fd_events[0], 80, 81, 5100, &rid);
	feed(r, fd_events[0], 80, 81, 5200, &bad);
	feed(r, fd_events[1], 80, 81, 5300, &a);
	feed(r, fd_events[2], 80, 81, 5400, &a);
	feed(r, fd_events[2], 80, 81, 5500, &rid);
	out = json(r);
	expect(out, "\"replace device=iommufd_mock0 domain_type=unmanaged\":"
		    "{\"count\":1,\"errors\":0,\"min_seconds\":0.000003000");
	expect(out, "\"iommufd_attach device=iommufd_mock0\":{\"count\":2,"
		    "\"errors\":1,\"labels\":{\"op\":\"iommufd_attach\","
		    "\"device\":\"iommufd_mock0\"}}");
	expect(out, "\"iommufd_replace device=iommufd_mock0\":{\"count\":1,"
		    "\"errors\":0,");
	expect(out, "\"iommufd_detach device=iommufd_mock0\":{\"count\":1,");
	expect(out, "\"undecodable\":0,");
	free(out);
	rep_free(r);

	/* 6.12's iommufd_device_* have no pasid: RIDs only, not counted,
	 * and not undecodable either */
	r = new_report(LOC_DATA);
	for (i = 0; i < 3; i++) {
		set(r, fd_events[i], "device", 8, 4, LOC_DATA);
		set(r, fd_events[i], "result", 20, 4, LOC_PLAIN);
	}
	feed(r, fd_events[0], 80, 81, 5000, &a);
	out = json(r);
	assert_null(strstr(out, "iommufd_attach"));
	expect(out, "\"undecodable\":0,");
	free(out);
	rep_free(r);
}

/* vIOMMU and vDEVICE allocations with their results, vIOMMU
 * invalidations timed with the entries handled and asked for; all of it
 * a VMM's work. */
static void test_viommu(void **state)
{
	struct report *r = new_report(LOC_DATA);
	struct rec va = { .n = 28 }, vd = { .n = 32 }, inv = { .n = 28 };
	char *out;

	set(r, "iommufd:iommufd_viommu_alloc", "result", 24, 4, LOC_PLAIN);
	set(r, "iommufd:iommufd_vdevice_alloc", "result", 28, 4, LOC_PLAIN);
	set(r, "iommufd:iommufd_viommu_invalidate_exit", "entry_num", 16, 4,
	    LOC_PLAIN);
	set(r, "iommufd:iommufd_viommu_invalidate_exit", "done_num", 20, 4,
	    LOC_PLAIN);
	set(r, "iommufd:iommufd_viommu_invalidate_exit", "result", 24, 4,
	    LOC_PLAIN);
	feed(r, "iommufd:iommufd_viommu_alloc", 90, 90, 10, &va);
	put32(&va, 24, (uint32_t)-22);
	feed(r, "iommufd:iommufd_viommu_alloc", 90, 90, 20, &va);
	feed(r, "iommufd:iommufd_vdevice_alloc", 90, 90, 30, &vd);
	feed(r, "iommufd:iommufd_vdevice_alloc", 90, 90, 40, &vd);
	put32(&inv, 16, 5);
	put32(&inv, 20, 5);
	feed(r, "iommufd:iommufd_viommu_invalidate_enter", 90, 91, 1000, NULL);
	feed(r, "iommufd:iommufd_viommu_invalidate_exit", 90, 91, 1500, &inv);
	put32(&inv, 16, 4);
	put32(&inv, 20, 2);
	put32(&inv, 24, (uint32_t)-22);
	feed(r, "iommufd:iommufd_viommu_invalidate_enter", 90, 91, 2000, NULL);
	feed(r, "iommufd:iommufd_viommu_invalidate_exit", 90, 91, 4000, &inv);
	out = json(r);
	expect(out, "{\"vm\":\"?/90\",\"pid\":90,");
	expect(out, "\"iommufd_viommu\":{\"viommu_alloc\":{\"count\":2,"
		    "\"errors\":1},\"vdevice_alloc\":{\"count\":2,\"errors\":0},"
		    "\"viommu_invalidate\":{\"count\":2,\"errors\":1,"
		    "\"min_seconds\":0.000000500,\"p50_seconds\":0.000000500,"
		    "\"p99_seconds\":0.000000500,\"max_seconds\":0.000000500");
	expect(out, "\"entries\":7,\"entries_requested\":9}");
	expect(out, "\"iommufd:iommufd_viommu_invalidate_exit\":2");
	free(out);
	rep_free(r);
}

/* sys_enter_ioctl feeds two decoders: KVM_CREATE_VM makes a VMM
 * (kvm_vm_lifecycle), KVM_SET_USER_MEMORY_REGION opens a deletion whose
 * mode the kvm_mmu_zap_all_fast inside it tells (kvm_memslot_zap); a
 * record without the command is undecodable once, not once a decoder. */
static void test_ioctl_two_decoders(void **state)
{
	struct report *r = rep_new();
	struct rec create = { .n = 40 }, del = { .n = 40 }, ret = { .n = 24 };
	struct rec cut = { .n = 8 };
	struct vm *v;
	char *out;

	assert_non_null(r);
	/* sys_enter_ioctl: cmd (u64) at 24; sys_exit_ioctl: ret at 16 */
	set(r, "syscalls:sys_enter_ioctl", "cmd", 24, 8, LOC_PLAIN);
	set(r, "syscalls:sys_exit_ioctl", "ret", 16, 8, LOC_PLAIN);
	put32(&create, 24, 0xae01);
	put32(&del, 24, 0x4020ae46);
	feed(r, "syscalls:sys_enter_ioctl", 200, 200, 10, &create);
	feed(r, "syscalls:sys_enter_ioctl", 200, 201, 1000, &del);
	feed(r, "kvmmmu:kvm_mmu_zap_all_fast", 200, 201, 1500, NULL);
	feed(r, "syscalls:sys_exit_ioctl", 200, 201, 3000, &ret);
	feed(r, "syscalls:sys_enter_ioctl", 200, 201, 5000, &del);
	feed(r, "syscalls:sys_exit_ioctl", 200, 201, 6000, &ret);
	feed(r, "syscalls:sys_enter_ioctl", 200, 201, 7000, &cut);
	v = rep_vm_find(r, 200);
	assert_non_null(v);
	assert_true(v->vmm);
	out = json(r);
	expect(out, "\"kvm_memslot_zap\":{\"all_fast\":{\"count\":1,"
		    "\"errors\":0,\"min_seconds\":0.000002000");
	expect(out, "\"no_zap\":{\"count\":1,\"errors\":0,"
		    "\"min_seconds\":0.000001000");
	expect(out, "\"syscalls:sys_enter_ioctl\":4");
	expect(out, "\"undecodable\":1,");
	expect(out, "\"mode\":\"all_fast\",\"pages_rebuilt\":0");
	free(out);
	rep_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_and_iommufd_pasid),
		cmocka_unit_test(test_viommu),
		cmocka_unit_test(test_ioctl_two_decoders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

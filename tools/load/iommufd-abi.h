/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the iommufd uAPI, and of its selftest's test command
 * (drivers/iommu/iommufd/iommufd_test.h, CONFIG_IOMMUFD_TEST), that
 * vsva-pasidload uses.  Written out here because the build host's
 * <linux/iommufd.h> is older than the kernels it runs on (Debian 12's
 * headers are 6.1: no vIOMMU, no PASID flag) and the test command is not
 * exported at all.  Layouts are the kernel's; names carry a pl_ prefix so
 * that they never collide with a newer system header.
 */
#ifndef VSVA_IOMMUFD_ABI_H
#define VSVA_IOMMUFD_ABI_H

#include <stdint.h>
#include <sys/ioctl.h>

#define PL_IOMMUFD_TYPE		';'
#define PL_IO(nr)		_IO(PL_IOMMUFD_TYPE, (nr))

#define PL_IOMMU_DESTROY	PL_IO(0x80)
#define PL_IOMMU_IOAS_ALLOC	PL_IO(0x81)
#define PL_IOMMU_HWPT_ALLOC	PL_IO(0x89)
#define PL_IOMMU_HWPT_INVALIDATE PL_IO(0x8d)
#define PL_IOMMU_VIOMMU_ALLOC	PL_IO(0x90)
#define PL_IOMMU_VDEVICE_ALLOC	PL_IO(0x91)
#define PL_IOMMU_TEST_CMD	PL_IO(0x80 + 32)

/* enum iommufd_hwpt_alloc_flags */
#define PL_HWPT_ALLOC_NEST_PARENT	(1u << 0)
#define PL_HWPT_ALLOC_PASID		(1u << 3)	/* 6.15+ */

/* the mock driver's data types (iommufd_test.h) */
#define PL_HWPT_DATA_SELFTEST			0xdeadu
#define PL_HWPT_INVALIDATE_DATA_SELFTEST	0xdeadbeefu
#define PL_VIOMMU_TYPE_SELFTEST			0xdeadbeefu
#define PL_VIOMMU_INVALIDATE_DATA_SELFTEST	0xdeadbeefu
#define PL_TEST_IOTLB_DEFAULT			0xbadbeefu
#define PL_MOCK_IOTLB_ID_MAX			3
#define PL_MOCK_DEV_CACHE_ID_MAX		3
#define PL_MOCK_FLAGS_DEVICE_PASID		(1u << 2)
/* upstream's mock fails the second attach of this PASID on purpose */
#define PL_TEST_PASID_RESERVED			1024u
#define PL_MOCK_PASID_WIDTH			20

/*
 * The test command's operation numbers.  Up to TRIGGER_IOPF both bases
 * agree; the PASID operations follow it in the vsva series' 6.12 backport
 * (patch 3 there) and follow DEV_CHECK_CACHE and TRIGGER_VEVENT upstream.
 */
enum pl_test_op {
	PL_OP_MOCK_DOMAIN_REPLACE = 10,
	PL_OP_MOCK_DOMAIN_FLAGS = 12,
};

struct pl_pasid_ops {
	uint32_t attach, replace, detach, check;
};

static const struct pl_pasid_ops pl_pasid_ops_612 = { 16, 17, 18, 19 };
static const struct pl_pasid_ops pl_pasid_ops_upstream = { 18, 19, 20, 21 };

struct pl_destroy {
	uint32_t size;
	uint32_t id;
};

struct pl_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct pl_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t __reserved;
	uint32_t data_type;
	uint32_t data_len;
	uint64_t data_uptr __attribute__((aligned(8)));
	uint32_t fault_id;
	uint32_t __reserved2;
};

struct pl_hwpt_selftest {
	uint32_t iotlb;
};

struct pl_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id;
	uint64_t data_uptr __attribute__((aligned(8)));
	uint32_t data_type;
	uint32_t entry_len;
	uint32_t entry_num;
	uint32_t __reserved;
};

struct pl_hwpt_invalidate_selftest {
	uint32_t flags;
	uint32_t iotlb_id;
};

struct pl_viommu_invalidate_selftest {
	uint32_t flags;
	uint32_t vdev_id;
	uint32_t cache_id;
};

struct pl_viommu_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t type;
	uint32_t dev_id;
	uint32_t hwpt_id;
	uint32_t out_viommu_id;
	uint32_t data_len;
	uint32_t __reserved;
	uint64_t data_uptr __attribute__((aligned(8)));
};

struct pl_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	uint64_t virt_id __attribute__((aligned(8)));
};

/* struct iommu_test_cmd: only the members used here; the union is sized
 * by its largest member upstream (48 bytes), and @size tells the kernel
 * how much of it we pass. */
struct pl_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t __reserved;
	union {
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;
		} mock_domain_flags;
		struct {
			uint32_t pt_id;
		} mock_domain_replace;
		struct {
			uint32_t pasid;
			uint32_t pt_id;
		} pasid;
		uint64_t pad[6];
	};
	uint32_t last;
};

#endif /* VSVA_IOMMUFD_ABI_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's decoders of interrupt work: kvm_irq_injection (by path, as
 * vsvad counts them: a masked pin or a de-assertion is no injection),
 * kvm_irq_bypass (producers added and removed, IRTE updates) and
 * irq_bypass_connect (pairs connected and disconnected).
 */
#include "perf-dec.h"

/* kvm_irq_injection */
enum { K_MSI, K_IOAPIC, K_PIC, K_GSI };

static void msi(struct report *r, struct sample *s)
{
	count_key(r, s, K_MSI);
}

static void ioapic(struct report *r, struct sample *s)
{
	uint64_t e;

	if (field(r, s, 0, &e) && !(e & (1ULL << 16)))	/* not masked */
		count_key(r, s, K_IOAPIC);
}

static void pic(struct report *r, struct sample *s)
{
	uint64_t pin, imr, chip;

	if (field(r, s, 0, &pin) && field(r, s, 1, &imr) &&
	    field(r, s, 2, &chip) && !(imr & (1 << (pin & 7))))
		count_key(r, s, K_PIC);
}

static void set_irq(struct report *r, struct sample *s)
{
	uint64_t level;

	if (field(r, s, 0, &level) && (int32_t)level == 1)
		count_key(r, s, K_GSI);
}

const struct decoder dec_irq_injection = {
	.mid = VSVA_M_IRQ_INJECTION,
	.events = (const struct dec_event[]){
		{ "kvm:kvm_msi_set_irq", msi },
		{ "kvm:kvm_ioapic_set_irq", ioapic, { "e" } },
		{ "kvm:kvm_pic_set_irq", pic, { "pin", "imr", "chip" } },
		{ "kvm:kvm_set_irq", set_irq, { "level" } },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_MSI] = { "msi" },
		[K_IOAPIC] = { "ioapic" },
		[K_PIC] = { "pic" },
		[K_GSI] = { "gsi_assert" },
		{ NULL },
	},
};

/* kvm_irq_bypass */
enum { K_ADD, K_DEL, K_IRTE_SET, K_IRTE_CLEAR };

static void add_producer(struct report *r, struct sample *s)
{
	count_result(r, s, K_ADD);
}

static void del_producer(struct report *r, struct sample *s)
{
	count_result(r, s, K_DEL);
}

static void irte(struct report *r, struct sample *s)
{
	uint64_t set;

	if (field(r, s, 0, &set))
		count_key(r, s, set & 0xff ? K_IRTE_SET : K_IRTE_CLEAR);
	else
		s->bad = true;
}

const struct decoder dec_irq_bypass = {
	.mid = VSVA_M_IRQ_BYPASS,
	.events = (const struct dec_event[]){
		{ "kvm:kvm_irq_bypass_add_producer", add_producer,
		  { "result" } },
		{ "kvm:kvm_irq_bypass_del_producer", del_producer,
		  { "result" } },
		{ "kvm:kvm_pi_irte_update", irte, { "set" } },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_ADD] = { "add_producer", KEY_ERRS },
		[K_DEL] = { "del_producer", KEY_ERRS },
		[K_IRTE_SET] = { "irte_set" },
		[K_IRTE_CLEAR] = { "irte_clear" },
		{ NULL },
	},
};

/* irq_bypass_connect */
enum { K_CONNECT, K_DISCONNECT };

static void bp_connect(struct report *r, struct sample *s)
{
	count_result(r, s, K_CONNECT);
}

static void bp_disconnect(struct report *r, struct sample *s)
{
	count_result(r, s, K_DISCONNECT);
}

const struct decoder dec_bypass_connect = {
	.mid = VSVA_M_BYPASS_CONNECT,
	.events = (const struct dec_event[]){
		{ "irqbypass:irq_bypass_connect", bp_connect, { "result" } },
		{ "irqbypass:irq_bypass_disconnect", bp_disconnect,
		  { "result" } },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_CONNECT] = { "connect", KEY_ERRS },
		[K_DISCONNECT] = { "disconnect", KEY_ERRS },
		{ NULL },
	},
};

/* SPDX-License-Identifier: MIT */
/*
 * The measured boot stage's bytes, built from src/stage/ (build_stage.py) and embedded at
 * build time. They are placed at STAGE_CODE_GPA and measured by content.
 */
#ifndef SNPVMM_STAGE_STAGE_BLOB_H
#define SNPVMM_STAGE_STAGE_BLOB_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t boot_stage_image[];
extern const size_t boot_stage_image_size;

#endif /* SNPVMM_STAGE_STAGE_BLOB_H */

/*
 * record_sink.h - what capture sees, as observation records: the sink that
 * hands exchanges and connections to the records writer (records/obs_write.h),
 * and the capture's counters as stats and end records.
 */
#ifndef SMIW_CAPTURE_RECORD_SINK_H
#define SMIW_CAPTURE_RECORD_SINK_H

#include "capture/capture.h"
#include "records/obs_write.h"

/* The callbacks that write exchange and conn records to o (which must outlive the capture). */
struct capture_sink capture_record_sink(struct obs_writer *o);

/* Writes the counters st as a stats record, or as the end record when end_reason is not NULL. */
void capture_write_stats(struct obs_writer *o, const struct capture_stats *st, const char *end_reason);

#endif

// The Weir public API in one include: environment, streams, functions, state,
// sources and sinks. A job needs nothing else.
#pragma once

#include <weir/api/data_stream.h>
#include <weir/api/environment.h>
#include <weir/api/functions.h>
#include <weir/api/job_client.h>
#include <weir/api/joining.h>
#include <weir/api/watermark_strategy.h>
#include <weir/api/windowed_stream.h>
#include <weir/api/windowing.h>
#include <weir/connectors/collect_sink.h>
#include <weir/connectors/collection_source.h>
#include <weir/connectors/datagen_source.h>
#include <weir/connectors/discarding_sink.h>
#include <weir/connectors/file_sink.h>
#include <weir/connectors/print_sink.h>
#include <weir/connectors/rate_limited_source.h>
#include <weir/connectors/sequence_source.h>
#include <weir/connectors/sink.h>
#include <weir/connectors/source.h>
#include <weir/connectors/text_file_sink.h>
#include <weir/connectors/text_file_source.h>
#include <weir/connectors/two_phase_commit_sink.h>
#include <weir/core/config.h>
#include <weir/core/serializer.h>
#include <weir/core/status.h>
#include <weir/state/state.h>

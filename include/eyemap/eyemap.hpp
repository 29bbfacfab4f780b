// Umbrella header: everything a user of eyemap calls (data, ingest, vocabulary, options, the renderer, batch, run folders, statistics, errors).
#pragma once

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "eyemap/compare.hpp"
#include "eyemap/figure.hpp"
#include "eyemap/marks.hpp"
#include "eyemap/neuprint.hpp"
#include "eyemap/options.hpp"
#include "eyemap/regions.hpp"
#include "eyemap/renderer.hpp"
#include "eyemap/runs.hpp"
#include "eyemap/sample.hpp"
#include "eyemap/stats.hpp"
#include "eyemap/table.hpp"
#include "eyemap/version.hpp"
#include "eyemap/vocabulary.hpp"

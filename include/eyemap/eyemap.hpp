// Umbrella header: everything a user of eyemap calls (data, ingest, options, the renderer, batch, statistics, errors).
#pragma once

#include "eyemap/batch.hpp"
#include "eyemap/error.hpp"
#include "eyemap/options.hpp"
#include "eyemap/regions.hpp"
#include "eyemap/renderer.hpp"
#include "eyemap/sample.hpp"
#include "eyemap/stats.hpp"
#include "eyemap/table.hpp"
#include "eyemap/version.hpp"

#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

#include "util/json_log.h"

using namespace regpol;

TEST_CASE("a log line becomes one JSON object, its level from its prefix, its text unchanged") {
  CHECK(json_log_line("regpol: error: run 3 refused: \"x\"", "T") ==
        "{\"time\": \"T\", \"level\": \"error\", \"message\": \"run 3 refused: \\\"x\\\"\"}\n");
  CHECK(json_log_line("regpol: warning: --notify: not delivered", "T") ==
        "{\"time\": \"T\", \"level\": \"warning\", \"message\": \"--notify: not delivered\"}\n");
  CHECK(json_log_line("regpol: pulling ecr: 1/2 repositories", "T") ==
        "{\"time\": \"T\", \"level\": \"info\", \"message\": \"pulling ecr: 1/2 repositories\"}\n");
  CHECK(json_log_line("no prefix\tat all", "T") == "{\"time\": \"T\", \"level\": \"info\", \"message\": \"no prefix\\tat all\"}\n");
}

TEST_CASE("while it lives, a stream writes whole lines as JSON; a carriage return ends a line; the rest is written at the end") {
  std::ostringstream sink;
  {
    JsonLogLines json(sink);
    sink << "regpol: error: one\nregpol: progress 1/2\rregpol: progress 2/2\r" << "unfinished";
  }
  sink << "plain again\n";
  std::istringstream lines(sink.str());
  std::string line;
  int objects = 0;
  while (std::getline(lines, line)) {
    if (line == "plain again") break;
    CHECK(line.rfind("{\"time\": ", 0) == 0);
    ++objects;
  }
  CHECK(objects == 4);
  CHECK(line == "plain again");
  CHECK(sink.str().find("\"level\": \"error\", \"message\": \"one\"") != std::string::npos);
  CHECK(sink.str().find("\"message\": \"unfinished\"") != std::string::npos);
}

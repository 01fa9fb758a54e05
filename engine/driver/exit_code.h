#pragma once
// The process exit codes of docs/interfaces.md. The driver's commands return them, so what
// a failure means (refused, bad input, stopped) is decided where the work is done, and
// cli/ only passes the code on.
#include <string>

namespace regpol {

// kBusy: another apply holds the state file (apply and `runs abandon`).
enum ExitCode { kOk = 0, kFindings = 1, kUsage = 2, kBadInput = 3, kInternal = 4, kBusy = 5 };

// Says "regpol: error: MESSAGE" on stderr and returns `code`.
int fail(int code, const std::string& message);

}  // namespace regpol

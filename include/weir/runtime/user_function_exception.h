// UserFunctionException: a user function threw. Carries the operator's name so
// that the job failure says where it happened ("operator 'Tokenizer' (2/4)
// failed: bad line"). Thrown by operators around user calls; the task turns it
// into a task failure, never a process crash.
#pragma once

#include <stdexcept>
#include <string>

#include <weir/core/cancellation.h>
#include <weir/core/state_migration.h>

namespace weir {

class UserFunctionException : public std::runtime_error {
 public:
  UserFunctionException(std::string operatorName, const std::string& message)
      : std::runtime_error(message), operatorName_(std::move(operatorName)) {}
  const std::string& operatorName() const { return operatorName_; }

 private:
  std::string operatorName_;
};

// Runs `fn` and attributes a std::exception it throws to operator `op`. An
// exception already attributed (thrown further down the chain) and task
// cancellation pass through unchanged; restored state that does not fit keeps its
// type (the job must not restart from it) and gets the operator's name. No cost unless something is thrown.
template <class Op, class Fn>
inline decltype(auto) invokeUserFunction(Op& op, Fn&& fn) {
  try {
    return fn();
  } catch (const TaskCancelledException&) {
    throw;
  } catch (const UserFunctionException&) {
    throw;
  } catch (const StateMigrationException& e) {
    if (!e.operatorName().empty()) throw;
    throw StateMigrationException(e.what(), op.context().operatorName());
  } catch (const std::exception& e) {
    throw UserFunctionException(op.context().operatorName(), e.what());
  } catch (...) {
    throw UserFunctionException(op.context().operatorName(), "a non-standard exception was thrown");
  }
}

}  // namespace weir

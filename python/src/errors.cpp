// eyemap::Error -> the Python exceptions of eyemap._errors, carrying kind, file, line, field, value.
#include "binding.hpp"

namespace eyemap::py {

void register_errors(pyb::module_&) {
    pyb::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            // Built in Python (eyemap._errors._from_cpp) so the classes can inherit ValueError/OSError.
            const char* kind = e.kind() == ErrorKind::input ? "input" : e.kind() == ErrorKind::io ? "io" : "internal";
            const auto& w = e.where();
            pyb::object make = pyb::module_::import("eyemap._errors").attr("_from_cpp");
            pyb::object exc = make(kind, text(e.what()), text(e.reason()), text(w.file), w.line, text(w.field), text(w.value));
            PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
        }
    });
}

}  // namespace eyemap::py

// DataFileSource (eyemap/batch.hpp): a data file streamed for the batch, bytes counted for progress.
#include "ingest/data_file.hpp"
#include "core/read_file.hpp"
#include "core/throw.hpp"

#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>

namespace eyemap {

DataFileSource::DataFileSource(const std::filesystem::path& path, const RegionSet& regions, std::span<const std::string> values)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.regions = regions;
    if (path == "-") {
        refuse_folder_on_stdin();
        m.fd = 0;
        m.name = "<stdin>";
    } else {
        m.name = path.string();
        m.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m.fd < 0) throw_io(fmt::format("cannot open file: {}", std::strerror(errno)), m.name);
        m.own_fd = true;
        struct stat st {};
        if (::fstat(m.fd, &st) == 0) {
            if (S_ISDIR(st.st_mode)) throw_io("is a folder, not a file", m.name);
            if (S_ISREG(st.st_mode)) m.size = static_cast<std::uint64_t>(st.st_size);
        }
#ifdef POSIX_FADV_SEQUENTIAL
        ::posix_fadvise(m.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    m.csv = std::make_unique<detail::CsvReader>([&m](char* p, std::size_t n) { return m.read(p, n); }, m.name);
    m.parser = std::make_unique<detail::RowParser>(detail::RowParser::from_header(*m.csv, m.fields, m.regions, values));
}

DataFileSource::~DataFileSource() = default;
const TableColumns& DataFileSource::columns() const noexcept { return impl_->parser->columns(); }
bool DataFileSource::next(ColumnRow& row) {
    if (!impl_->csv->read_record(impl_->fields)) return false;
    impl_->parser->parse(*impl_->csv, impl_->fields, row);
    return true;
}
RowSource DataFileSource::source() {
    return [this](ColumnRow& row) { return next(row); };
}
std::uint64_t DataFileSource::bytes_read() const noexcept { return impl_->count.load(std::memory_order_relaxed); }
std::uint64_t DataFileSource::file_size() const noexcept { return impl_->size; }

bool detail::data_file_identity(const std::filesystem::path& p, std::uint64_t& digest, std::uint64_t& bytes) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::string block(std::size_t{1} << 16, '\0');
    StreamDigest d;
    std::uint64_t n = 0;
    for (;;) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        n += got;
        d.add(std::string_view(block.data(), got));
        if (got < block.size()) {
            if (in.bad()) return false;
            digest = d.digest();
            bytes = n;
            return true;
        }
    }
}

}  // namespace eyemap

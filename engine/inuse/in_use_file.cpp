#include "inuse/in_use_file.h"

#include <nlohmann/json.hpp>

namespace regpol {

std::string in_use_document_text(const InUseDocument& doc) {
  nlohmann::ordered_json out;
  out["schema"] = kInUseSchema;
  out["source"] = doc.source;
  out["regions"] = doc.regions;
  out["readAt"] = format_timestamp(doc.read_at);
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& e : doc.images) {
    nlohmann::ordered_json item;
    item["image"] = e.image;
    if (!e.digest.empty()) item["digest"] = e.digest;
    item["user"] = e.user;
    images.push_back(std::move(item));
  }
  out["images"] = std::move(images);
  // Invalid UTF-8 from a service is replaced rather than failing the whole file.
  return out.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool is_in_use_document(const nlohmann::json& doc) { return doc.is_object() && doc.contains("schema"); }

bool read_in_use_document(const nlohmann::json& doc, const std::string& file, InUseDocument& out, std::string& error) {
  auto fail = [&](const std::string& where, const std::string& what) {
    error = file + ": " + where + " " + what;
    return false;
  };
  auto schema = doc.find("schema");
  if (!schema->is_string() || schema->get<std::string>() != kInUseSchema)
    return fail("schema", "is not \"" + std::string(kInUseSchema) + "\" (regpol in-use pull writes it; kubectl output has no `schema`)");
  if (auto s = doc.find("source"); s != doc.end() && s->is_string()) out.source = s->get<std::string>();
  auto read_at = doc.find("readAt");
  if (read_at == doc.end() || !read_at->is_string()) return fail("readAt", "is missing (when the source was read, RFC 3339)");
  auto when = parse_timestamp(read_at->get<std::string>());
  if (!when) return fail("readAt", "is not an RFC 3339 time with a zone");
  out.read_at = *when;
  if (auto regions = doc.find("regions"); regions != doc.end() && regions->is_array())
    for (const auto& r : *regions)
      if (r.is_string()) out.regions.push_back(r.get<std::string>());
  auto images = doc.find("images");
  if (images == doc.end() || !images->is_array()) return fail("images", "is not an array");
  for (std::size_t i = 0; i < images->size(); ++i) {
    const auto& item = (*images)[i];
    const std::string at = "images[" + std::to_string(i) + "]";
    if (!item.is_object()) return fail(at, "is not an object");
    InUseEntry e;
    auto image = item.find("image");
    if (image == item.end() || !image->is_string()) return fail(at + ".image", "is not a string");
    e.image = image->get<std::string>();
    if (auto d = item.find("digest"); d != item.end()) {
      if (!d->is_string()) return fail(at + ".digest", "is not a string");
      e.digest = d->get<std::string>();
    }
    if (auto u = item.find("user"); u != item.end() && u->is_string()) e.user = u->get<std::string>();
    out.images.push_back(std::move(e));
  }
  return true;
}

}  // namespace regpol

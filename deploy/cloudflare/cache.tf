# Cache rules: hashed Next.js build assets are immutable and cached long; API and auth
# responses are never cached (they are per-user and carry cookies/keys).
resource "cloudflare_ruleset" "cache" {
  zone_id     = local.zone_id
  name        = "Agent Hub cache rules"
  description = "Cache hashed static assets, bypass API and auth"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    description = "Hashed Next.js assets: cache at the edge and in browsers"
    expression  = "${local.on_host} and starts_with(http.request.uri.path, \"/_next/static/\")"
    action      = "set_cache_settings"
    enabled     = true

    action_parameters {
      cache = true

      edge_ttl {
        mode    = "override_origin"
        default = var.static_edge_ttl
      }

      browser_ttl {
        mode    = "override_origin"
        default = 31536000
      }
    }
  }

  rules {
    description = "API, auth and WebSocket: never cache"
    expression  = "${local.on_host} and (${local.api_paths} or ${local.auth_paths})"
    action      = "set_cache_settings"
    enabled     = true

    action_parameters {
      cache = false
    }
  }
}

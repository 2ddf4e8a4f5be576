# ------------------------------------------------------------- managed WAF rules
resource "cloudflare_ruleset" "waf_managed" {
  count       = var.enable_managed_waf ? 1 : 0
  zone_id     = local.zone_id
  name        = "Agent Hub managed WAF"
  description = "Cloudflare Managed Ruleset and OWASP Core Ruleset"
  kind        = "zone"
  phase       = "http_request_firewall_managed"

  rules {
    description = "Cloudflare Managed Ruleset"
    expression  = local.on_host
    action      = "execute"
    enabled     = true

    action_parameters {
      # Cloudflare Managed Ruleset
      id = "efb7b8c949ac4650a09736fc376e9aee"
    }
  }

  rules {
    description = "Cloudflare OWASP Core Ruleset"
    expression  = local.on_host
    action      = "execute"
    enabled     = true

    action_parameters {
      # Cloudflare OWASP Core Ruleset
      id = "4814384a9e5d4991b9815dcfc25d2f1f"

      overrides {
        rules {
          # 949110: inbound anomaly score exceeded
          id              = "6179ae15870a4bb7b2d480d4843b323c"
          action          = var.owasp_action
          score_threshold = var.owasp_score_threshold
        }
      }
    }
  }
}

# --------------------------------------------------------------- custom rules
resource "cloudflare_ruleset" "waf_custom" {
  zone_id     = local.zone_id
  name        = "Agent Hub custom rules"
  description = "Never expose metrics; challenge browsers on the owner's login paths"
  kind        = "zone"
  phase       = "http_request_firewall_custom"

  rules {
    description = "Block /metrics at the edge (defence in depth: not routed, and the app refuses it)"
    expression  = "${local.on_host} and (http.request.uri.path eq \"/metrics\" or starts_with(http.request.uri.path, \"/metrics/\"))"
    action      = "block"
    enabled     = true
  }

  rules {
    description = "Managed challenge on the human's login paths"
    expression  = "${local.on_host} and not cf.client.bot and (${join(" or ", [for p in var.challenge_path_prefixes : "starts_with(http.request.uri.path, \"${p}\")"])})"
    action      = "managed_challenge"
    enabled     = length(var.challenge_path_prefixes) > 0
  }
}

# ------------------------------------------------------------------ bots
resource "cloudflare_bot_management" "this" {
  zone_id = local.zone_id

  # Free plan: Bot Fight Mode. Pro and higher: Super Bot Fight Mode.
  fight_mode                      = var.super_bot_fight_mode ? null : true
  enable_js                       = true
  sbfm_definitely_automated       = var.super_bot_fight_mode ? "managed_challenge" : null
  sbfm_likely_automated           = var.super_bot_fight_mode ? "allow" : null
  sbfm_verified_bots              = var.super_bot_fight_mode ? "allow" : null
  sbfm_static_resource_protection = var.super_bot_fight_mode ? false : null
}

# ------------------------------------------------------------ rate limiting
# Per client IP (plus colo, which Cloudflare requires). The API's own limits (Valkey)
# still apply behind these; these stop floods before they reach the cluster.
resource "cloudflare_ruleset" "rate_limits" {
  zone_id     = local.zone_id
  name        = "Agent Hub rate limits"
  description = "Login brute force and API floods"
  kind        = "zone"
  phase       = "http_ratelimit"

  rules {
    description = "/auth/login/*: ${var.login_rate_limit_per_minute} requests per minute per IP"
    expression  = "${local.on_host} and (http.request.uri.path eq \"/auth/login\" or starts_with(http.request.uri.path, \"/auth/login/\"))"
    action      = "block"
    enabled     = true

    ratelimit {
      characteristics     = ["cf.colo.id", "ip.src"]
      period              = var.rate_limit_period
      requests_per_period = ceil(var.login_rate_limit_per_minute * var.rate_limit_period / 60)
      mitigation_timeout  = var.rate_limit_mitigation_timeout
    }

    action_parameters {
      response {
        status_code  = 429
        content_type = "application/json"
        content      = jsonencode({ success = false, error = "Too many login attempts", hint = "Wait a minute and try again", code = "rate_limited" })
      }
    }
  }

  rules {
    description = "/api/*: ${var.api_rate_limit_per_minute} requests per minute per IP"
    expression  = "${local.on_host} and ${local.api_paths}"
    action      = "block"
    enabled     = true

    ratelimit {
      characteristics     = ["cf.colo.id", "ip.src"]
      period              = var.rate_limit_period
      requests_per_period = ceil(var.api_rate_limit_per_minute * var.rate_limit_period / 60)
      mitigation_timeout  = var.rate_limit_mitigation_timeout
    }

    action_parameters {
      response {
        status_code  = 429
        content_type = "application/json"
        content      = jsonencode({ success = false, error = "Rate limit exceeded", hint = "Slow down and retry later", code = "rate_limited" })
      }
    }
  }
}

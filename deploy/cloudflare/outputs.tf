output "hostname" {
  description = "Public host name (AGENT_HUB_PUBLIC_URL = https://<hostname>)."
  value       = var.hostname
}

output "origin_certificate" {
  description = "Origin CA certificate (PEM) for Secret agent-hub-tls (create_origin_certificate)."
  value       = var.create_origin_certificate ? cloudflare_origin_ca_certificate.origin[0].certificate : null
}

output "origin_private_key" {
  description = "Private key (PEM) for Secret agent-hub-tls (create_origin_certificate)."
  value       = var.create_origin_certificate ? tls_private_key.origin[0].private_key_pem : null
  sensitive   = true
}

output "tunnel_token" {
  description = "Token for Secret cloudflared-tunnel, key token (use_tunnel)."
  value       = var.use_tunnel ? cloudflare_zero_trust_tunnel_cloudflared.agent_hub[0].tunnel_token : null
  sensitive   = true
}

output "tunnel_cname" {
  description = "The tunnel's <id>.cfargotunnel.com name (use_tunnel)."
  value       = var.use_tunnel ? cloudflare_zero_trust_tunnel_cloudflared.agent_hub[0].cname : null
}
